package lib.cli;

import lib.text.Bytes;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** --units and --bytes: a picocli mixin of every tool that shows sizes. */
public final class UnitOptions {
    @Option(scope = CommandLine.ScopeType.INHERIT, names = "--units", paramLabel = "b|k|m|g|t|auto", converter = UnitConverter.class,
            description = "Units of sizes, binary (1 KiB = 1024 bytes, as the kernel and free(1) count): auto picks per value "
                    + "(default for text), b is whole bytes (default for tsv).%nExample: --units m")
    Bytes.Unit units;

    @Option(scope = CommandLine.ScopeType.INHERIT, names = "--bytes", description = "Sizes in whole bytes, digits only: the same as --units b.%nExample: --bytes")
    boolean bytes;

    static final class UnitConverter implements CommandLine.ITypeConverter<Bytes.Unit> {
        public Bytes.Unit convert(String value) {
            try {
                return Bytes.Unit.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The units chosen; machine formats default to whole bytes, text to auto. */
    public Bytes units(boolean machine) {
        if (bytes && units != null && units != Bytes.Unit.B) {
            throw new Cli.UsageError("--bytes and --units " + units.name().toLowerCase(java.util.Locale.ROOT) + " disagree: give one");
        }
        if (bytes) return Bytes.EXACT;
        if (units != null) return Bytes.in(units);
        return machine ? Bytes.EXACT : Bytes.AUTO;
    }

}
