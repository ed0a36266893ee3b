package org.coroner.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Finds a module's {@code .ko} by module name in the {@code --modules} directories (searched
 * recursively, as a kernel's {@code /lib/modules/RELEASE} tree is laid out). Module names use
 * {@code _} where file names may use {@code -}.
 */
public final class ModuleFiles {
    private final List<Path> dirs;
    private final Map<String, Optional<Path>> cache = new ConcurrentHashMap<>();

    public ModuleFiles(List<Path> dirs) {
        this.dirs = List.copyOf(dirs);
    }

    public Optional<Path> find(String module) {
        return cache.computeIfAbsent(module, this::search);
    }

    private Optional<Path> search(String module) {
        String want = module.replace('-', '_');
        for (Path d : dirs) {
            if (Files.isRegularFile(d) && matches(d, want)) {
                return Optional.of(d);
            }
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(d, 8)) {
                Optional<Path> hit = s.filter(p -> matches(p, want) && Files.isRegularFile(p)).findFirst();
                if (hit.isPresent()) {
                    return hit;
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // an unreadable directory: try the others
            }
        }
        return Optional.empty();
    }

    private static boolean matches(Path p, String want) {
        String n = p.getFileName().toString();
        return n.endsWith(".ko") && n.substring(0, n.length() - 3).replace('-', '_').equals(want);
    }
}
