package dev.netkit.gateway.config;

import dev.netkit.netty.transport.TransportKind;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/*
 * The file is composed to snakeyaml-engine's node tree (YAML 1.2 core schema), not constructed
 * into maps: nodes keep their start marks and their resolved tags, so every error can name the
 * line and column of the key or value at fault, and a value's type is the one YAML 1.2 gives it
 * (`no` is the string "no"). Clusters are read before listeners, whatever their order in the
 * file, so that routes and tcp listeners can be checked against them (and a tcp listener can
 * inherit its cluster's lb and connect timeout). Reading stops at the first problem.
 */
/**
 * Reads a {@code netkit gateway} YAML file into a {@link GatewayConfig}, or fails with one
 * {@link ConfigException} naming the file, line, column and key path of the first problem found:
 * malformed YAML, an unknown key (with the nearest known key suggested), a value of the wrong type
 * or out of range (with the allowed values), a duplicate listener name or port, a duplicate
 * cluster name, a cluster without endpoints, a route or listener naming an unknown cluster.
 * Stateless and thread-safe.
 */
public final class GatewayConfigParser {
    static final List<String> ROOT_KEYS = List.of("listeners", "clusters", "admin", "io");
    static final List<String> IO_KEYS = List.of("threads", "transport");
    static final List<String> ADMIN_KEYS = List.of("bind");
    /** The largest file read, in characters (and bytes, checked before reading): 4 MiB. */
    public static final int MAX_CODE_POINTS = 4 * 1024 * 1024;
    /** Aliases of lists and mappings a file may use. */
    public static final int MAX_COLLECTION_ALIASES = 50;

    /** A parser. */
    public GatewayConfigParser() {}

    /**
     * Reads and validates {@code file} (UTF-8); errors name it as given.
     *
     * @throws ConfigException for the first problem, or when the file cannot be read
     */
    public GatewayConfig parse(Path file) {
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_CODE_POINTS) {
                throw new ConfigException(file.toString(), 0, 0, "", "file is " + size + " bytes; the limit is "
                        + MAX_CODE_POINTS + " (4 MiB)");
            }
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new ConfigException(file.toString(), 0, 0, "", "cannot read: not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, 0, "", "cannot read: " + describe(e));
        }
        Path parent = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), parent == null ? Path.of("").toAbsolutePath() : parent);
    }

    /**
     * Reads and validates YAML text; relative file names in it (TLS certificates and keys) are
     * taken from the working directory.
     *
     * @param fileName how errors name the source, e.g. {@code gateway.yaml}
     * @throws ConfigException for the first problem
     */
    public GatewayConfig parse(String yaml, String fileName) {
        return parse(yaml, fileName, Path.of("").toAbsolutePath());
    }

    /**
     * Reads and validates YAML text whose relative file names (TLS certificates and keys) are
     * taken from {@code baseDir}.
     *
     * @throws ConfigException for the first problem
     */
    public GatewayConfig parse(String yaml, String fileName, Path baseDir) {
        Node root = compose(yaml, fileName);
        Section top = Section.open(fileName, "", root, ROOT_KEYS);
        Map<String, ClusterConfig> clusters = clusters(top, baseDir);
        List<ListenerConfig> listeners = listeners(top, clusters, baseDir);
        Section adminSection = top.section("admin", ADMIN_KEYS);
        AdminConfig admin = adminSection.has("bind") ? new AdminConfig(ListenerParser.bind(adminSection, "bind")) : AdminConfig.defaults();
        checkAdminPort(top, adminSection, listeners, admin);
        return new GatewayConfig(listeners, List.copyOf(clusters.values()), admin, io(top.section("io", IO_KEYS)));
    }

    private static IoConfig io(Section io) {
        IoConfig defaults = IoConfig.defaults();
        int threads = io.integer("threads", defaults.threads(), 1, 256);
        TransportKind transport = io.choice("transport", defaults.transport(), List.of(TransportKind.values()), IoConfig::transportName);
        return new IoConfig(threads, transport);
    }

    private static Node compose(String yaml, String fileName) {
        // Bounds stated here rather than inherited: the size of the text, and aliases to
        // collections (a "billion laughs" file is refused at the 51st, before any expansion).
        LoadSettings settings = LoadSettings.builder().setLabel(fileName).setSchema(new CoreSchema())
                .setCodePointLimit(MAX_CODE_POINTS).setMaxAliasesForCollections(MAX_COLLECTION_ALIASES)
                .setAllowRecursiveKeys(false).build();
        Optional<Node> root;
        try {
            NestingLimit.check(yaml, settings, fileName);
            root = new Compose(settings).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
            String context = e.getContext() == null ? "" : " (" + e.getContext().strip() + ")";
            throw new ConfigException(fileName, mark.map(m -> m.getLine() + 1).orElse(0),
                    mark.map(m -> m.getColumn() + 1).orElse(0), "", "malformed YAML: " + e.getProblem().strip() + context);
        } catch (YamlEngineException e) {
            throw new ConfigException(fileName, 0, 0, "", "malformed YAML: " + oneLine(e.getMessage()));
        } catch (IllegalArgumentException e) {
            // snakeyaml-engine validates some values only when it builds the node, with an
            // unmarked IllegalArgumentException: a tag "!%0" (found by GatewayConfigFuzzTest).
            throw new ConfigException(fileName, 0, 0, "", "malformed YAML: " + oneLine(e.getMessage()));
        }
        if (root.isEmpty() || Section.isNull(root.get())) {
            throw new ConfigException(fileName, 1, 1, "", "empty file (expected a mapping with listeners and clusters)");
        }
        return root.get();
    }

    private static Map<String, ClusterConfig> clusters(Section top, Path baseDir) {
        List<Node> nodes = top.list("clusters");
        if (nodes.isEmpty()) {
            throw top.has("clusters") ? top.error("clusters", "no clusters (expected at least one)")
                    : top.error("missing key \"clusters\" (expected a list of clusters)");
        }
        Map<String, ClusterConfig> clusters = new LinkedHashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Section c = Section.open(top.file(), "clusters[" + i + "]", nodes.get(i), ClusterParser.KEYS);
            ClusterConfig cluster = ClusterParser.parse(c, baseDir);
            Integer first = lines.putIfAbsent(cluster.name(), Section.line(c.value("name")));
            if (first != null) {
                throw c.error("name", "duplicate cluster name \"" + cluster.name() + "\" (first at line " + first + ")");
            }
            clusters.put(cluster.name(), cluster);
        }
        return clusters;
    }

    private static List<ListenerConfig> listeners(Section top, Map<String, ClusterConfig> clusters, Path baseDir) {
        List<Node> nodes = top.list("listeners");
        if (nodes.isEmpty()) {
            throw top.has("listeners") ? top.error("listeners", "no listeners (expected at least one)")
                    : top.error("missing key \"listeners\" (expected a list of listeners)");
        }
        ListenerParser parser = new ListenerParser(clusters, baseDir);
        List<ListenerConfig> listeners = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<Integer, String> ports = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Section l = Section.open(top.file(), "listeners[" + i + "]", nodes.get(i), ListenerParser.ALL_KEYS);
            ListenerConfig listener = parser.parse(l);
            Integer first = names.putIfAbsent(listener.name(), Section.line(l.value("name")));
            if (first != null) {
                throw l.error("name", "duplicate listener name \"" + listener.name() + "\" (first at line " + first + ")");
            }
            int port = listener.bind().port();
            String holder = port == 0 ? null : ports.putIfAbsent(port, listener.name());
            if (holder != null) {
                throw l.error("bind", "port " + port + " is already bound by listener \"" + holder + "\"");
            }
            listeners.add(listener);
        }
        return listeners;
    }

    private static void checkAdminPort(Section top, Section admin, List<ListenerConfig> listeners, AdminConfig config) {
        int port = config.bind().port();
        for (ListenerConfig l : listeners) {
            if (port != 0 && l.bind().port() == port) {
                throw admin.has("bind") ? admin.error("bind", "port " + port + " is already bound by listener \"" + l.name() + "\"")
                        : top.error("admin", "the admin server's default port " + port + " is bound by listener \""
                                + l.name() + "\"; set admin.bind");
            }
        }
    }

    private static String describe(IOException e) {
        String kind = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getClass().getSimpleName();
        return e.getMessage() == null || e instanceof java.nio.file.FileSystemException ? kind : kind + ": " + e.getMessage();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\n\\s*", " ");
    }
}
