package dev.netkit.netty.internal.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** The modification time and size of each watched file (or that it is missing), to notice changes by polling. */
record FileStamps(List<String> stamps) {
    static FileStamps of(List<Path> files) {
        List<String> out = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                out.add(f + "@" + a.lastModifiedTime().toMillis() + "/" + a.size() + "/" + a.fileKey());
            } catch (IOException e) {
                out.add(f + "@missing");
            }
        }
        return new FileStamps(List.copyOf(out));
    }
}
