package dev.vmareplay.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code vmareplay completion}: a bash/zsh script that knows the commands, options and option values. */
class CompletionTest {

    static String script() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), "completion");
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }

    @Test
    void theScriptCompletesCommandsOptionsAndValues() {
        String s = script();
        assertThat(s).contains("complete -F _complete_vmareplay")
                .contains("replay").contains("verify").contains("record").contains("completion")
                .contains("--seed-maps").contains("--no-snapshots").contains("--fault-policy")
                .contains("(\"6.1\" \"6.12\" \"6.18\") # --kernel values")
                .contains("(\"observed-only\" \"write-before-protect\" \"assume-written\") # --fault-policy values");
    }

    @Test
    void bashCompletesTheKernelValuesFromTheScript() throws Exception {
        Path bash = Path.of("/bin/bash");
        assumeTrue(Files.isExecutable(bash), "no bash here");
        Path script = Files.createTempFile("vmareplay-completion", ".bash");
        try {
            Files.writeString(script, script());
            // what bash offers after 'vmareplay replay --kernel 6.1'
            String probe = "source " + script + "; COMP_WORDS=(vmareplay replay --kernel 6.1); COMP_CWORD=3; "
                    + "COMP_LINE='vmareplay replay --kernel 6.1'; COMP_POINT=${#COMP_LINE}; _complete_vmareplay; echo \"${COMPREPLY[@]}\"";
            // (stderr: bash says compopt runs outside a completion; the replies are on stdout)
            Process p = new ProcessBuilder(bash.toString(), "-c", probe).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String got = new String(p.getInputStream().readAllBytes()).trim();
            assertThat(got.split("\\s+")).containsExactlyInAnyOrder("6.1", "6.12", "6.18");
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
