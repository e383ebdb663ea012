package dev.vmareplay.replay;

import dev.vmareplay.replay.engine.Mm;
import dev.vmareplay.replay.maps.MapsParser;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The production snapshot loader (MapsParser, then SeedLoader with the replay's file
 * identities) for tests outside this package, so that engine scenario tests seed exactly as
 * a replay with {@code --seed-maps} does, not through a parser of their own.
 */
public final class SnapshotSeeds {
    private SnapshotSeeds() { }

    /** Seeds mm with every VMA of a maps or smaps snapshot; returns the number of VMAs. */
    public static int load(Mm mm, Path snapshot) throws IOException {
        int before = mm.mapCount();
        SeedLoader.load(mm, MapsParser.parse(snapshot), new FileIdentities());
        return mm.mapCount() - before;
    }
}
