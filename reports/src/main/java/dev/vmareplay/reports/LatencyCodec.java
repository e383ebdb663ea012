package dev.vmareplay.reports;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.DataFormatException;

/**
 * The {@code latency.histogram} column: HdrHistogram's compressed encoding, so that the
 * histograms of several runs (or several processes) can be added up later:
 * {@code total.add(LatencyCodec.decode(blob))}. Values are nanoseconds.
 */
public final class LatencyCodec {
    private LatencyCodec() { }

    public static byte[] encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        return Arrays.copyOf(buf.array(), n);
    }

    public static Histogram decode(byte[] blob) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(blob), 0);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("not an encoded HdrHistogram: " + e.getMessage(), e);
        }
    }
}
