package dev.vmareplay.reports;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opens generated reports in headless Chromium (offline: no network flags) and checks that
 * the script ran to the end, that the charts exist with their data, and that the page
 * logged nothing to the console. Skips, saying why, when Chromium is not installed
 * ({@code apt-get install -y chromium}; or set CHROMIUM to its path).
 */
class BrowserReportTest {

    @TempDir
    static Path dir;
    static Path chromium;
    static Path db;

    @BeforeAll
    static void findChromium() {
        List<String> candidates = new ArrayList<>();
        if (System.getenv("CHROMIUM") != null) candidates.add(System.getenv("CHROMIUM"));
        candidates.addAll(List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"));
        chromium = candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(chromium != null,
                "SKIPPED: no headless Chromium (looked for " + candidates + "); install it with 'apt-get install -y chromium'");
        db = ReportWriterTest.sampleDb(dir);
    }

    record Page(String dom, String log) { }

    /** Runs Chromium on a file; extra args such as --dump-dom or --screenshot=FILE. */
    static Page chromium(Path html, String... extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(dir, "profile");
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--virtual-time-budget=10000", "--window-size=1400,5200"));
        cmd.addAll(List.of(extra));
        cmd.add(html.toUri().toString());
        Path out = dir.resolve("chromium.out"), err = dir.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 120 s: " + cmd);
        }
        return new Page(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    static List<String> consoleLines(String log) {
        return log.lines().filter(l -> l.contains("CONSOLE") || l.contains("Uncaught")).toList();
    }

    static int count(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    static String attr(String dom, String elementRegex, String attr) {
        Matcher m = Pattern.compile("<[^>]*" + elementRegex + "[^>]*>").matcher(dom);
        assertThat(m.find()).as("an element matching " + elementRegex).isTrue();
        Matcher a = Pattern.compile(attr + "=\"([^\"]*)\"").matcher(m.group());
        assertThat(a.find()).as(attr + " on " + m.group()).isTrue();
        return a.group(1);
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void the_run_report_renders_its_charts_without_console_errors() throws Exception {
        Path html = dir.resolve("report.html");
        ReportWriter.write(db, 1L, html);
        Page page = chromium(html, "--dump-dom");
        assertThat(consoleLines(page.log())).as("console output of the page").isEmpty();
        String dom = page.dom();
        assertThat(dom).contains("data-rendered=\"ok\"");
        assertThat(dom).contains("id=\"js-errors\" hidden");
        // uPlot drew one canvas per timeline, with the downsampled points
        assertThat(count(dom, "data-chart=\"timeline\"")).isEqualTo(2);
        assertThat(count(dom, "<canvas")).isGreaterThanOrEqualTo(2);
        assertThat(Integer.parseInt(attr(dom, "data-chart=\"timeline\"", "data-points"))).isBetween(1000, 2000);
        assertThat(dom).contains("class=\"uplot");
        // the case bar charts: one bar per kind, with the stored counts
        assertThat(attr(dom, "data-chart=\"case-kinds\"", "data-bars")).isEqualTo("14");
        assertThat(count(dom, "data-label=\"new_none\" data-value=\"[1-9]")).isEqualTo(1);
        assertThat(dom).contains("data-chart=\"refusal-reasons\"");
        // the final layout: every VMA drawn, the huge gaps collapsed into clusters
        assertThat(attr(dom, "data-chart=\"layout\"", "data-vmas")).isEqualTo("25");
        assertThat(Integer.parseInt(attr(dom, "data-chart=\"layout\"", "data-drawn"))).isEqualTo(25);
        assertThat(Integer.parseInt(attr(dom, "data-chart=\"layout\"", "data-clusters"))).isGreaterThan(2);
        assertThat(dom).contains("0xffffffffff600000");   // [vsyscall], above 2^63
        assertThat(dom).contains("data-chart=\"divergence-causes\"").contains("missing_mapping");
        assertThat(dom).contains("vma_merge_new_range");   // the latency table
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void the_diff_report_renders_both_runs_and_the_deltas() throws Exception {
        Path html = dir.resolve("diff.html");
        ReportWriter.writeDiff(db, 1, 2, html);
        Page page = chromium(html, "--dump-dom");
        assertThat(consoleLines(page.log())).as("console output of the page").isEmpty();
        String dom = page.dom();
        assertThat(dom).contains("data-rendered=\"ok\"").contains("id=\"js-errors\" hidden");
        assertThat(dom).contains("data-table=\"case-delta\"").contains("data-table=\"reason-delta\"");
        assertThat(count(dom, "class=\"num up\"")).isPositive();
        assertThat(count(dom, "data-chart=\"timeline\"")).isEqualTo(4);
        assertThat(count(dom, "data-chart=\"layout\"")).isEqualTo(4);
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void a_screenshot_of_the_report_can_be_taken() throws Exception {
        Path html = dir.resolve("shot.html");
        ReportWriter.write(db, 1L, html);
        Path png = Path.of("target", "report-screenshot.png").toAbsolutePath();
        Files.deleteIfExists(png);
        chromium(html, "--screenshot=" + png);
        assertThat(png).exists();
        assertThat(Files.size(png)).isGreaterThan(20_000);   // not a blank page
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void the_fleet_report_renders_every_section_offline() throws Exception {
        Path html = dir.resolve("fleet.html");
        FleetReportWriter.write(FleetReportTest.fleetDir(dir), html);
        Page page = chromium(html, "--dump-dom");
        assertThat(consoleLines(page.log())).as("console output of the page").isEmpty();
        String dom = page.dom();
        assertThat(dom).contains("data-rendered=\"ok\"").contains("id=\"js-errors\" hidden");
        assertThat(attr(dom, "data-chart=\"fleet\"", "data-traces")).isEqualTo("3");
        assertThat(attr(dom, "data-chart=\"fleet\"", "data-failed")).isEqualTo("1");
        // one stacked bar per replayed trace, one segment per kind it had
        assertThat(attr(dom, "data-chart=\"case-mix\"", "data-traces")).isEqualTo("2");
        assertThat(count(dom, "<i style=\"width:[0-9.]+%;background:#[0-9a-f]+\" data-kind=\"new_none\"")).isEqualTo(2);
        assertThat(Integer.parseInt(attr(dom, "data-chart=\"top-refusals\"", "data-rows"))).isEqualTo(2);
        assertThat(Integer.parseInt(attr(dom, "data-chart=\"fleet-latency\"", "data-rows"))).isGreaterThan(3);
        assertThat(attr(dom, "data-chart=\"failed\"", "data-rows")).isEqualTo("1");
        assertThat(dom).contains("/traces/broken.txt");
    }
}
