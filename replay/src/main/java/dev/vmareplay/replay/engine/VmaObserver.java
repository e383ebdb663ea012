package dev.vmareplay.replay.engine;

/** Receives one {@link VmaEvent} per engine primitive, in the order they happen. */
@FunctionalInterface
public interface VmaObserver {
    VmaObserver NONE = e -> { };

    void on(VmaEvent event);
}
