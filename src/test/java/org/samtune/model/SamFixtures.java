package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.samtune.checkpoint.TensorData;
import org.samtune.testing.Fixtures;

/** Loading the sam-tiny golden arrays into a manager. */
final class SamFixtures {
    static final String SET = "sam-tiny";

    private SamFixtures() {}

    static TensorData golden(String name) {
        return Fixtures.npy(SET, name);
    }

    /** A fixture array as float32 (labels included: the prompt encoder compares them as numbers). */
    static NDArray array(NDManager m, String name) {
        TensorData t = golden(name);
        return m.create(t.toFloats(), new Shape(t.shape())).toType(DataType.FLOAT32, false);
    }
}
