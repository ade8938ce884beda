/**
 * One option, two spellings: commands share one name for a setting (`--intra-op-threads`,
 * `--model-name`, `--model-base-path`) and keep TF Serving's spelling (shown in help) or a former
 * one of ours (hidden, so scripts written before keep working) as an alias.
 * Commander has no option aliases, so the alias is its own option that stores into the
 * canonical option's attribute, parsed and checked the same way; given both, the last wins,
 * as with a repeated flag.
 */
import { Option } from 'commander';

class AliasOption extends Option {
  constructor(
    flags: string,
    description: string,
    private readonly canonical: Option,
  ) {
    super(flags, description);
  }

  override attributeName(): string {
    return this.canonical.attributeName();
  }
}

/** `flags` as another spelling of `canonical`; `what` says whose spelling it is ("TF Serving's name"). */
export function aliasOf(canonical: Option, flags: string, what: string): Option {
  const alias = new AliasOption(flags, `${what} for ${canonical.long}`, canonical);
  if (canonical.parseArg) alias.argParser(canonical.parseArg);
  if (canonical.argChoices) alias.choices(canonical.argChoices);
  return alias;
}

/** A spelling this tool used before `canonical`: still accepted, no longer shown in help or docs/cli.md. */
export function formerSpellingOf(canonical: Option, flags: string): Option {
  return aliasOf(canonical, flags, 'former name').hideHelp();
}
