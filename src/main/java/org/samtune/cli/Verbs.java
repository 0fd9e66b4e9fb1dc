package org.samtune.cli;

import java.util.List;

/** The verbs of {@code samtune}, in the order {@code --help} lists them. Add a verb here. */
final class Verbs {
    private Verbs() {}

    static List<Object> all() {
        return List.of(new DemoCommand(), new PrepareCommand(), new TrainCommand(), new PretrainCommand(),
                new EvalCommand(), new PredictCommand(), new ServeCommand(), new StudyCommand(), new ReportCommand(),
                new InspectCommand(), new BenchCommand());
    }
}
