import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test that needs root (it reads other processes' pagemaps and kpageflags, or makes kernel objects:
 * SysV segments, huge pages, swap, mounts, users). Tagged "root"; as another user it is skipped with
 * a message, not failed.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("root")
@ExtendWith(NeedsRoot.Condition.class)
public @interface NeedsRoot {

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return isRoot() ? ConditionEvaluationResult.enabled("root")
                    : ConditionEvaluationResult.disabled("needs root (pagemap frames, kpageflags, kernel objects): run the tests as root");
        }

        static boolean isRoot() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
                }
            } catch (IOException e) {
                // unknown: treat as not root
            }
            return false;
        }
    }
}
