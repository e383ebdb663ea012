package dev.vmareplay.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code vmareplay completion}: the bash/zsh completion script picocli's AutoComplete generates
 * from the command model itself, so it always knows every command, option and the values of
 * {@code --kernel}, {@code --format} and {@code --fault-policy}.
 */
@Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        header = "Print a bash/zsh completion script for vmareplay.",
        description = {
                "Prints a completion script for bash and zsh (zsh through bashcompinit, which the script",
                "loads itself). Completes commands, options, and the values of --kernel, --format and",
                "--fault-policy.",
                ""},
        footer = {"", "Examples:",
                "  source <(vmareplay completion)                       # this shell",
                "  vmareplay completion > ~/.local/share/bash-completion/completions/vmareplay",
                "  echo 'source <(vmareplay completion)' >> ~/.zshrc"})
final class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String script = AutoComplete.bash("vmareplay", spec.root().commandLine());
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return Errors.OK;
    }
}
