package io.skypack.train.loss;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Gives each test a fresh native-memory scope, closed after it, so no test leaks arrays into another. */
abstract class NDManagerTest {
    protected NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }
}
