package dev.vmareplay.replay.readers;

import java.util.EnumSet;
import java.util.Set;

/**
 * What the seed thread (../shared/seeds/003_472f92fddc2b25e6.txt, Suren Baghdasaryan's
 * replies to Lorenzo Stoakes' merge and split scenarios, June 2025) says a concurrent reader
 * may see, as a set of {@link Observable}s beyond an exact layout, and in its own words.
 *
 * @param mayShow the observables the reply allows (an empty set: "either view")
 * @param words   the reply, quoted
 */
public record SeedClaim(Set<Observable> mayShow, String words) {

    public SeedClaim {
        mayShow = Set.copyOf(mayShow);
    }

    /** How the exhaustive check's hazards compare with this claim. */
    public enum Agreement { AGREES, SEED_ALLOWS_MORE, DISAGREES, NOT_IN_SEED }

    /** The observables a claim speaks about: what an exact view or a waiting reader is not. */
    static final Set<Observable> HAZARDS = EnumSet.of(Observable.DUPLICATE, Observable.RETRY,
            Observable.TRANSIENT_GAP, Observable.REAL_GAP, Observable.MOVED_TWICE, Observable.MOVED_MISSED,
            Observable.VIOLATION);

    /** Compares the check's observables with this claim (null claim: the seed does not cover the case). */
    public static Agreement compare(SeedClaim claim, Set<Observable> found) {
        if (claim == null) {
            return Agreement.NOT_IN_SEED;
        }
        Set<Observable> h = EnumSet.noneOf(Observable.class);
        for (Observable o : found) {
            if (HAZARDS.contains(o)) {
                h.add(o);
            }
        }
        if (h.equals(claim.mayShow)) {
            return Agreement.AGREES;
        }
        return claim.mayShow.containsAll(h) ? Agreement.SEED_ALLOWS_MORE : Agreement.DISAGREES;
    }
}
