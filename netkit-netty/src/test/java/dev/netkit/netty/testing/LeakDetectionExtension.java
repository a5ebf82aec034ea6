package dev.netkit.netty.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector reports a buffer that was never released.
 *
 * <p>Registered for every test class through ServiceLoader auto-detection, so it loads before
 * any test touches a buffer. It installs a leak detector factory that records every report; the
 * surefire configuration sets the level to paranoid (every buffer tracked). After each test it
 * runs the GC and allocates a few buffers, which makes the detector report collected-but-unreleased
 * buffers, and fails if any were reported. A leak caused by one test may surface in the next test
 * of the same JVM; either way the build fails.
 */
public final class LeakDetectionExtension implements AfterEachCallback {
    private static final List<String> LEAKS = new ArrayList<>();
    /** Set by the self-test while it leaks on purpose, so the report is recorded but not logged. */
    static volatile boolean quiet;

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
                return new RecordingDetector<>(resource, samplingInterval);
            }
        });
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty reported " + leaks.size() + " leaked buffer(s) after "
                    + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    /** Forces detection and returns (and clears) the leaks reported so far. */
    public static List<String> collectLeaks() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            System.runFinalization();
            for (int j = 0; j < 8; j++) {
                ByteBufAllocator.DEFAULT.directBuffer(1).release(); // tracking a buffer polls the detector's queue
                UnpooledByteBufAllocator.DEFAULT.heapBuffer(1).release();
            }
        }
        synchronized (LEAKS) {
            List<String> copy = List.copyOf(LEAKS);
            LEAKS.clear();
            return copy;
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record("LEAK " + resourceType + records);
            if (!quiet) {
                super.reportTracedLeak(resourceType, records);
            }
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record("LEAK " + resourceType + " (untraced)");
            if (!quiet) {
                super.reportUntracedLeak(resourceType);
            }
        }

        private static void record(String leak) {
            synchronized (LEAKS) {
                LEAKS.add(leak);
            }
        }
    }
}
