package dev.vmareplay.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version Maven filtered into the jar; shown by {@code --version} and stored with every run. */
public final class VersionProvider implements CommandLine.IVersionProvider {

    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("/vmareplay-version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {
                "vmareplay " + version(),
                "models Linux 6.18 mm/vma.c (--kernel 6.1 and 6.12 for older behaviour)",
                "Java " + System.getProperty("java.version")};
    }
}
