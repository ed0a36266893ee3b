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
 * recursively, as a kernel's {@code /lib/modules/RELEASE} tree is laid out), or takes the file
 * the shell's {@code mod -s} named. Module names use {@code _} where file names may use {@code -}.
 * {@code mod -d} forgets a module's file until it is loaded again.
 */
public final class ModuleFiles {
    private final List<Path> dirs;
    private final Map<String, Optional<Path>> cache = new ConcurrentHashMap<>();
    private final Map<String, Path> loaded = new ConcurrentHashMap<>();
    private final java.util.Set<String> dropped = ConcurrentHashMap.newKeySet();

    public ModuleFiles(List<Path> dirs) {
        this.dirs = List.copyOf(dirs);
    }

    /** The directories given with {@code --modules}. */
    public List<Path> dirs() {
        return dirs;
    }

    /** The module's file: the one {@code mod -s} loaded, else the first found in the directories. */
    public Optional<Path> find(String module) {
        if (dropped.contains(module)) {
            return Optional.empty();
        }
        Path p = loaded.get(module);
        return p != null ? Optional.of(p) : cache.computeIfAbsent(module, m -> search(m, dirs));
    }

    /** Uses {@code ko} for {@code module} from now on ({@code mod -s}). */
    public void load(String module, Path ko) {
        loaded.put(module, ko);
        dropped.remove(module);
    }

    /** Forgets the module's file ({@code mod -d}): its debug information is no longer used. */
    public void drop(String module) {
        loaded.remove(module);
        dropped.add(module);
    }

    /** The first {@code .ko} for {@code module} in {@code dirs} (searched recursively). */
    public static Optional<Path> search(String module, List<Path> dirs) {
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

    static boolean matches(Path p, String want) {
        String n = p.getFileName().toString();
        return n.endsWith(".ko") && n.substring(0, n.length() - 3).replace('-', '_').equals(want);
    }
}
