package org.samtune.cli;

import java.util.List;

/** The verbs of {@code samtune}, in the order {@code --help} lists them. Add a verb here. */
final class Verbs {
    private Verbs() {}

    static List<Object> all() {
        return List.of(new PrepareCommand(), new PredictCommand(), new BenchCommand(), new EvalCommand());
    }
}
