import org.junit.jupiter.api.Test;

/** find_instances' output: a failed write is an error. */
@NeedsRoot
class FindInstancesOutputTest {

    /** stdout on a full disk: find_instances said nothing and exited 0. */
    @Test
    void lostOutputIsExit1AndOneLine() throws Exception {
        Tool.assertOutputLost("find_instances", Tool.toDevFull("find_instances", "--no-db"), false);
        Tool.assertOutputLost("find_instances", Tool.toDevFull("find_instances", "--no-db", "--format", "json"), false);
    }
}
