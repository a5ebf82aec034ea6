package dev.netkit.gateway.config;

/** What a listener proxies: {@code protocol: anet | tcp | udp}. */
public enum Protocol implements Named {
    /** Request-level: each anet frame is routed and balanced on its own (anet wire format v1). */
    ANET("anet"),
    /** L4: each TCP connection is balanced and its bytes are relayed unchanged. */
    TCP("tcp"),
    /** L4 datagrams: each client address gets a session with one upstream socket; datagrams are relayed unchanged. */
    UDP("udp");

    private final String configName;

    Protocol(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }
}
