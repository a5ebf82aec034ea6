package dev.netkit.cli;

import dev.netkit.cli.gateway.GatewayProcess;
import dev.netkit.gateway.GatewayException;
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
 * {@code netkit gateway: FILE:LINE:COLUMN: PATH: PROBLEM}, and exits 2. Without {@code --check}
 * it runs the gateway ({@link GatewayProcess}): {@code listening NAME on HOST:PORT} per listener,
 * SIGHUP reloads, SIGTERM/SIGINT drain and exit 0; a listener that cannot bind exits 2.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run a gateway (L4 and request-level proxy) from a YAML file; --check validates it.")
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
        PrintWriter out = spec.commandLine().getOut();
        if (!check) {
            return run(gateway, out, err);
        }
        out.print(gateway.toYaml());
        out.flush();
        err.println("netkit gateway: " + config + " is valid");
        err.flush();
        return 0;
    }

    private int run(GatewayConfig gateway, PrintWriter out, PrintWriter err) {
        GatewayProcess process;
        try {
            process = GatewayProcess.start(config, gateway, out, err);
        } catch (GatewayException e) {
            return fail(err, e.getMessage());
        }
        try {
            return process.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.gateway().close();
            return 1;
        }
    }

    private static int fail(PrintWriter err, String message) {
        err.println("netkit gateway: " + message);
        err.flush();
        return 2;
    }
}
