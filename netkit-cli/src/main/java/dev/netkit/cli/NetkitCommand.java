package dev.netkit.cli;

import dev.netkit.cli.load.LoadCommand;
import dev.netkit.cli.udp.UdpLoadCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code netkit} command line: entry point and sub-command list. */
@Command(name = "netkit",
        mixinStandardHelpOptions = true,
        version = "netkit 0.1.0-SNAPSHOT",
        description = "High-performance networking toolkit for the JVM (anet-compatible frame server and broker, UDP server).",
        subcommands = {ServeCommand.class, LoadCommand.class, DemoCommand.class, GatewayCommand.class,
                UdpServeCommand.class, UdpLoadCommand.class})
public final class NetkitCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    private static int oneLine(CommandLine cmd, String message) {
        String prefix = cmd.getParent() == null ? "netkit" : "netkit " + cmd.getCommandName();
        String first = message == null ? "failed" : message.lines().findFirst().orElse("failed");
        cmd.getErr().println(prefix + ": " + first);
        cmd.getErr().flush();
        return 2;
    }

    /** The configured command line, shared by main and tests. */
    public static CommandLine newCommandLine() {
        return new CommandLine(new NetkitCommand())
                .registerConverter(java.time.Duration.class, new DurationConverter())
                .setCaseInsensitiveEnumValuesAllowed(true)
                // Every bad option or value: one line naming it, exit 2, no usage dump, no stack trace.
                .setParameterExceptionHandler((e, args) -> oneLine(e.getCommandLine(), e.getMessage()))
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                            || e instanceof java.io.UncheckedIOException || e instanceof dev.netkit.netty.tls.TlsSetupException) {
                        return oneLine(cmd, e.getMessage());
                    }
                    throw e;
                });
    }
}
