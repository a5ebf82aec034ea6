package dev.netkit.gateway.config;

/** Whether a tcp listener tells upstreams the client's address: {@code proxy_protocol: none | v2}. */
public enum ProxyProtocol implements Named {
    /** The default: the upstream sees the gateway's address. */
    NONE("none"),
    /** A PROXY protocol v2 header (binary) precedes the client's bytes on each upstream connection. */
    V2("v2");

    private final String configName;

    ProxyProtocol(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }
}
