package dev.netkit.cli;

import dev.netkit.gateway.config.ConfigException;
import dev.netkit.gateway.config.GatewayConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code netkit gateway --config FILE [--check]}: reads and validates the gateway's YAML file
 * (see {@code dev.netkit.gateway.config}). With {@code --check} it prints the effective
 * configuration (every default filled in) on stdout, says the file is valid on stderr and exits 0,
 * as {@code haproxy -c} does. A bad file prints one line on stderr,
 * {@code netkit gateway: FILE:LINE:COLUMN: PATH: PROBLEM}, and exits 2. Running the gateway itself
 * comes with its runtime; until then, without {@code --check} it says so and exits 2.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Validate (--check) and, once its runtime is built, run a gateway from a YAML file.")
public final class GatewayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", required = true, description = "The gateway's YAML configuration.")
    Path config;

    @Option(names = "--check", description = "Validate the file, print the effective configuration and exit (0: valid, 2: not).")
    boolean check;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        GatewayConfig gateway;
        try {
            gateway = GatewayConfig.load(config);
        } catch (ConfigException e) {
            return fail(err, e.getMessage());
        }
        if (!check) {
            return fail(err, "the gateway runtime is not built yet; use --check to validate " + config);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(gateway.toYaml());
        out.flush();
        err.println("netkit gateway: " + config + " is valid");
        err.flush();
        return 0;
    }

    private static int fail(PrintWriter err, String message) {
        err.println("netkit gateway: " + message);
        err.flush();
        return 2;
    }
}
