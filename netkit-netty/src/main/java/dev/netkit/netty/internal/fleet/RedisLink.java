package dev.netkit.netty.internal.fleet;

import dev.netkit.netty.fleet.FleetConfig;
import dev.netkit.netty.internal.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.redis.ArrayHeaderRedisMessage;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FixedRedisMessagePool;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/*
 * Design note. A tiny Redis client for one job: run the GCRA script, one call at a time. Netty's
 * RESP codec (netty-codec-redis) frames the bytes; arrays are assembled here, not by
 * RedisArrayAggregator, because the only answer we accept is an array of three integers and the
 * aggregator would size a list by whatever length a broken server claims. Inline lines are capped
 * at MAX_LINE bytes; any other reply (a bulk string, a nested array, a reply nobody asked for) is
 * "bad_reply": the connection is closed, since the reply stream can no longer be trusted.
 *
 * Every field belongs to `loop` (one event loop of the group); fetch() hops there. Failures are
 * reported once per call (a channel closed on purpose is forgotten first, so its channelInactive
 * says nothing), then the link reconnects after an exponential backoff (50 ms doubling to 2 s,
 * reset by a good reply). It never blocks: connect, write, timeout and backoff are all callbacks.
 */
/** One connection to the fleet limit's Redis, owned by one event loop; see the design note. */
public final class RedisLink {
    /** What the link tells its bucket; called on the link's event loop. */
    public interface Listener {
        /** A script call answered: tokens granted, microseconds until one more, members present. */
        void granted(long tokens, long retryAfterMicros, long members);

        /** A call (or the connection) failed; {@code reason} is a stable label, {@code detail} for the log. */
        void failed(String reason, String detail);

        /** A new connection is up (after a failure: time to try again). */
        void connected();
    }

    static final int MAX_LINE = 1024;
    private static final long BACKOFF_INITIAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long BACKOFF_MAX_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final FleetConfig config;
    private final Transport transport;
    private final EventLoop loop;
    private final Listener listener;
    private final String memberId;
    private final LongAdder roundTrips = new LongAdder();

    private Channel channel;          // connected and trusted, or null
    private boolean connecting;
    private boolean closed;
    private long[] pending;           // {rate, burst, wanted} of the call in flight or waiting for a connection; null: none
    private boolean sent;
    private List<Long> reply;         // array reply being assembled
    private int replyLength;
    private ScheduledFuture<?> timeout;
    private ScheduledFuture<?> reconnect;
    private long backoffNanos = BACKOFF_INITIAL_NANOS;

    public RedisLink(FleetConfig config, Transport transport, EventLoop loop, String memberId, Listener listener) {
        this.config = config;
        this.transport = transport;
        this.loop = loop;
        this.memberId = memberId;
        this.listener = listener;
    }

    /** Connects (asynchronously). */
    public void start() {
        loop.execute(this::connect);
    }

    /** Script calls sent so far (EVALSHA, and EVAL after a NOSCRIPT). */
    public long roundTrips() {
        return roundTrips.sum();
    }

    /** Asks for {@code wanted} tokens; the answer comes to the listener. At most one call at a time (the bucket ensures it). */
    public void fetch(long rate, long burst, long wanted) {
        loop.execute(() -> {
            if (closed) {
                listener.failed("closed", "the fleet limit is closed");
                return;
            }
            pending = new long[] {rate, burst, wanted};
            sent = false;
            if (channel != null) {
                send(true);
            } else if (!connecting) {
                pending = null;
                listener.failed("connect", "not connected to " + address() + " (reconnecting)");
            } // connecting: sent when the connection is up
        });
    }

    /** Closes the connection; no more calls. */
    public void close() {
        loop.execute(() -> {
            closed = true;
            cancelTimers();
            Channel c = channel;
            channel = null;
            if (c != null) {
                c.close();
            }
        });
    }

    private String address() {
        return config.redisHost() + ":" + config.redisPort();
    }

    private void connect() {
        reconnect = null;
        if (closed || connecting || channel != null) {
            return;
        }
        connecting = true;
        ChannelFuture f = new Bootstrap().group(loop).channel(transport.socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, config.timeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new RedisDecoder(MAX_LINE, FixedRedisMessagePool.INSTANCE), new RedisEncoder(),
                                new ReplyHandler());
                    }
                })
                .connect(config.redisHost(), config.redisPort());
        f.addListener(done -> connected(f));
    }

    private void connected(ChannelFuture f) {
        connecting = false;
        if (closed) {
            f.channel().close();
            return;
        }
        if (!f.isSuccess()) {
            failPending("connect", "cannot connect to " + address() + ": " + f.cause());
            scheduleReconnect();
            return;
        }
        channel = f.channel();
        if (pending != null) {
            send(true);
        }
        listener.connected();
    }

    private void send(boolean bySha) {
        long[] p = pending;
        List<RedisMessage> args = new ArrayList<>(10);
        arg(args, bySha ? "EVALSHA" : "EVAL");
        arg(args, bySha ? GcraScript.SHA1 : GcraScript.SOURCE);
        arg(args, "2");
        arg(args, config.key());
        arg(args, config.key() + ":members");
        arg(args, Long.toString(p[0]));
        arg(args, Long.toString(p[1]));
        arg(args, Long.toString(p[2]));
        arg(args, memberId);
        arg(args, Long.toString(GcraScript.MEMBER_TTL_MILLIS));
        sent = true;
        reply = null;
        roundTrips.increment();
        if (timeout != null) {
            timeout.cancel(false);
        }
        timeout = loop.schedule(this::timedOut, config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        channel.writeAndFlush(new ArrayRedisMessage(args));
    }

    private static void arg(List<RedisMessage> args, String s) {
        args.add(new FullBulkStringRedisMessage(Unpooled.wrappedBuffer(s.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    private void timedOut() {
        timeout = null;
        if (pending != null && sent) {
            broken("timeout", "no answer from " + address() + " within " + config.timeout().toMillis() + " ms");
        }
    }

    /** The connection can no longer be trusted: fail the call, close, reconnect later. */
    private void broken(String reason, String detail) {
        Channel c = channel;
        channel = null; // forgotten first: its channelInactive reports nothing more
        if (c != null) {
            c.close();
        }
        failPending(reason, detail);
        scheduleReconnect();
    }

    private void failPending(String reason, String detail) {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
        pending = null;
        sent = false;
        reply = null;
        listener.failed(reason, detail);
    }

    private void scheduleReconnect() {
        if (closed || reconnect != null || connecting) {
            return;
        }
        reconnect = loop.schedule(this::connect, backoffNanos, TimeUnit.NANOSECONDS);
        backoffNanos = Math.min(BACKOFF_MAX_NANOS, backoffNanos * 2);
    }

    private void cancelTimers() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
        if (reconnect != null) {
            reconnect.cancel(false);
            reconnect = null;
        }
    }

    private void onReply(Channel from, RedisMessage msg) {
        if (from != channel) {
            return; // a late reply on a connection given up
        }
        if (pending == null || !sent) {
            broken("bad_reply", "an answer nobody asked for from " + address() + ": " + describe(msg));
        } else if (msg instanceof ErrorRedisMessage e) {
            if (e.content().startsWith("NOSCRIPT") && reply == null) {
                send(false); // the script is not cached there yet: EVAL once caches it
            } else { // OOM, WRONGTYPE, BUSY ...: try again on a fresh connection after the backoff
                broken("error_reply", address() + " answered " + e.content());
            }
        } else if (msg instanceof ArrayHeaderRedisMessage h && reply == null && h.length() == 3) {
            reply = new ArrayList<>(3);
            replyLength = 3;
        } else if (msg instanceof IntegerRedisMessage i && reply != null) {
            reply.add(i.value());
            if (reply.size() == replyLength) {
                complete();
            }
        } else {
            broken("bad_reply", "unexpected answer from " + address() + ": " + describe(msg));
        }
    }

    private void complete() {
        List<Long> r = reply;
        timeout.cancel(false);
        timeout = null;
        pending = null;
        sent = false;
        reply = null;
        backoffNanos = BACKOFF_INITIAL_NANOS;
        if (r.get(0) < 0 || r.get(1) < 0 || r.get(2) < 0) {
            listener.failed("bad_reply", "negative numbers from " + address() + ": " + r);
            return;
        }
        listener.granted(r.get(0), r.get(1), r.get(2));
    }

    private static String describe(RedisMessage msg) {
        String s = msg instanceof io.netty.buffer.ByteBufHolder h ? ByteBufUtil.hexDump(h.content(), h.content().readerIndex(),
                Math.min(16, h.content().readableBytes())) : msg.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    private final class ReplyHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                onReply(ctx.channel(), (RedisMessage) msg);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ctx.channel() == channel) {
                broken("bad_reply", "cannot read " + address() + "'s answer: " + cause);
            } else {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel) {
                broken("connection_lost", "connection to " + address() + " lost");
            }
            ctx.fireChannelInactive();
        }
    }
}
