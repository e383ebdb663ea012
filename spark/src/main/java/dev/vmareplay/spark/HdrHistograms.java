package dev.vmareplay.spark;

import dev.vmareplay.reports.LatencyCodec;
import org.HdrHistogram.Histogram;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.Aggregator;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Spark SQL functions over the {@code latency.histogram} column (HdrHistogram's compressed
 * encoding, {@link LatencyCodec}). HdrHistograms add up exactly, so the fleet's percentiles are
 * those of one histogram holding every trace's values, not an average of percentiles:
 * <pre>
 *   hdr_merge(histogram)            aggregate: the sum of the histograms, encoded the same way
 *   hdr_value_at(histogram, 99.0)   the value at a percentile (as latency.p99_ns)
 *   hdr_max(histogram)              the largest value (as latency.max_ns)
 * </pre>
 */
final class HdrHistograms {

    private HdrHistograms() { }

    static void register(SparkSession spark) {
        spark.udf().register("hdr_merge", functions.udaf(new Merge(), Encoders.BINARY()));
        spark.udf().register("hdr_value_at", (UDF2<byte[], Double, Long>) (h, p) ->
                h == null || h.length == 0 ? null : LatencyCodec.decode(h).getValueAtPercentile(p), DataTypes.LongType);
        spark.udf().register("hdr_max", (UDF1<byte[], Long>) h ->
                h == null || h.length == 0 ? null : LatencyCodec.decode(h).getMaxValue(), DataTypes.LongType);
    }

    /** Adds two encoded histograms; an empty array is the empty sum. */
    static byte[] add(byte[] a, byte[] b) {
        if (b == null || b.length == 0) return a;
        if (a == null || a.length == 0) return b;
        Histogram sum = LatencyCodec.decode(a);
        sum.add(LatencyCodec.decode(b));
        return LatencyCodec.encode(sum);
    }

    /** {@code hdr_merge}: the buffer is the encoded running sum. */
    static final class Merge extends Aggregator<byte[], byte[], byte[]> {
        @Override
        public byte[] zero() {
            return new byte[0];
        }

        @Override
        public byte[] reduce(byte[] sum, byte[] h) {
            return add(sum, h);
        }

        @Override
        public byte[] merge(byte[] a, byte[] b) {
            return add(a, b);
        }

        @Override
        public byte[] finish(byte[] sum) {
            return sum.length == 0 ? null : sum;
        }

        @Override
        public Encoder<byte[]> bufferEncoder() {
            return Encoders.BINARY();
        }

        @Override
        public Encoder<byte[]> outputEncoder() {
            return Encoders.BINARY();
        }
    }
}
