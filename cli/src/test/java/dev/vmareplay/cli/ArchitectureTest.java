package dev.vmareplay.cli;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameStartingWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The module boundaries of DESIGN.md, checked on the compiled classes of every module (the cli
 * module sees them all): a dependency counts however it is written, imported or fully
 * qualified. Production code only; tests may reach across to build their fixtures.
 */
@AnalyzeClasses(packages = "dev.vmareplay", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The engine is mm/ in Java: nothing but the JDK. */
    @ArchTest
    static final ArchRule engineUsesOnlyTheJdk = classes()
            .that().resideInAPackage("dev.vmareplay.replay.engine..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("dev.vmareplay.replay.engine..", "java..");

    /** The lockless-reader model stands alone: the JDK only, not the engine (it models the kernel's steps, not the replay's). */
    @ArchTest
    static final ArchRule readersUseOnlyTheJdk = classes()
            .that().resideInAPackage("dev.vmareplay.replay.readers..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("dev.vmareplay.replay.readers..", "java..");

    /** Ingest knows events, not what is done with them. */
    @ArchTest
    static final ArchRule ingestKnowsNothingDownstream = noClasses()
            .that().resideInAPackage("dev.vmareplay.ingest..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.vmareplay.replay..", "dev.vmareplay.reports..",
                    "dev.vmareplay.cli..", "dev.vmareplay.spark..");

    /** The outcome stream is the replay's published form: JDK, ingest's events, HdrHistogram. */
    @ArchTest
    static final ArchRule outcomeStandsAlone = classes()
            .that().resideInAPackage("dev.vmareplay.replay.outcome..")
            .should().onlyDependOnClassesThat(resideInAnyPackage("java..", "dev.vmareplay.replay.outcome..",
                    "dev.vmareplay.ingest.event..", "org.HdrHistogram..")
                    .or(nameStartingWith("dev.vmareplay.ingest.IngestStats")));

    /** Storage and the report read the outcome stream, never the engine (spark: SparkArchitectureTest). */
    @ArchTest
    static final ArchRule consumersNeverSeeTheEngine = noClasses()
            .that().resideInAPackage("dev.vmareplay.reports..")
            .should().dependOnClassesThat().resideInAPackage("dev.vmareplay.replay.engine..");

    /** ... nor any other part of replay than its outcome package. */
    @ArchTest
    static final ArchRule consumersReadOnlyTheOutcomePackage = noClasses()
            .that().resideInAPackage("dev.vmareplay.reports..")
            .should().dependOnClassesThat(resideInAPackage("dev.vmareplay.replay..")
                    .and(not(resideInAPackage("dev.vmareplay.replay.outcome.."))));

    /** The command line is the top: nothing builds on it. */
    @ArchTest
    static final ArchRule nothingUsesTheCli = noClasses()
            .that().resideOutsideOfPackage("dev.vmareplay.cli..")
            .should().dependOnClassesThat().resideInAPackage("dev.vmareplay.cli..");
}
