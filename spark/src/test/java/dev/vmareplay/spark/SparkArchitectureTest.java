package dev.vmareplay.spark;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The fleet job's module boundaries (DESIGN.md: spark depends on ingest, replay and the storage
 * of reports), checked on its compiled classes; cli's ArchitectureTest cannot see them, since cli
 * does not depend on spark. Spark is another way to run the same model: it drives the replay
 * through its front door (Replayer, ReplayOptions, ReplayPart, SnapshotDir) and stores what the
 * outcome stream carries, so it never reaches into the engine or the replay's internals, and it
 * never borrows the command line's code.
 */
@AnalyzeClasses(packages = "dev.vmareplay", importOptions = ImportOption.DoNotIncludeTests.class)
class SparkArchitectureTest {

    @ArchTest
    static final ArchRule theJobNeverSeesTheEngine = noClasses()
            .that().resideInAPackage("dev.vmareplay.spark..")
            .should().dependOnClassesThat().resideInAPackage("dev.vmareplay.replay.engine..");

    /** The replay's sub-packages other than its outcome stream (maps, readers, ...) are its own. */
    @ArchTest
    static final ArchRule theJobUsesOnlyTheReplaysFrontDoor = noClasses()
            .that().resideInAPackage("dev.vmareplay.spark..")
            .should().dependOnClassesThat(resideInAPackage("dev.vmareplay.replay.*..")
                    .and(com.tngtech.archunit.base.DescribedPredicate.not(resideInAPackage("dev.vmareplay.replay.outcome.."))));

    @ArchTest
    static final ArchRule theJobNeverBorrowsTheCommandLine = noClasses()
            .that().resideInAPackage("dev.vmareplay.spark..")
            .should().dependOnClassesThat().resideInAPackage("dev.vmareplay.cli..");
}
