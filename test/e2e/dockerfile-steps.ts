/**
 * Reads a Dockerfile into stages of instructions, for a test that replays its steps without
 * Docker: continuation lines joined, comments dropped, JSON (exec) forms parsed.
 */
export interface Instruction {
  keyword: string;
  /** The text after the keyword. */
  text: string;
  line: number;
}

export interface Stage {
  name: string;
  instructions: Instruction[];
}

export function parseDockerfile(source: string): Stage[] {
  const stages: Stage[] = [];
  const lines = source.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const start = index;
    let text = lines[index]!.trim();
    if (text === '' || text.startsWith('#')) continue;
    while (text.endsWith('\\') && index + 1 < lines.length)
      text = `${text.slice(0, -1).trim()} ${lines[++index]!.trim()}`;
    const [, keyword, rest] = /^(\w+)\s+(.*)$/.exec(text) ?? [];
    if (!keyword) throw new Error(`Dockerfile line ${start + 1}: cannot read "${text}"`);
    const instruction = { keyword: keyword.toUpperCase(), text: rest!.trim(), line: start + 1 };
    if (instruction.keyword === 'FROM') {
      const alias = /\sAS\s+(\S+)$/i.exec(instruction.text)?.[1];
      stages.push({ name: alias ?? String(stages.length), instructions: [instruction] });
    } else {
      if (stages.length === 0) throw new Error(`Dockerfile line ${start + 1}: ${keyword} before FROM`);
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

/** `ENV A=1 B=2` (no quoting needed by our Dockerfile: values without spaces). */
export function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split(/\s+/).map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 1) throw new Error(`ENV ${text}: expected KEY=VALUE pairs`);
      return [pair.slice(0, equals), pair.slice(equals + 1)];
    }),
  );
}

/** `COPY [--from=STAGE] SRC... DEST`. */
export function parseCopy(text: string): { from?: string; sources: string[]; destination: string } {
  const words = text.split(/\s+/);
  const from = words[0]!.startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
  if (words.some((word) => word.startsWith('--'))) throw new Error(`COPY ${text}: only --from is replayed by the test`);
  const destination = words.pop()!;
  if (words.length === 0) throw new Error(`COPY ${text}: expected a source and a destination`);
  return { ...(from && { from }), sources: words, destination };
}

/** ENTRYPOINT/CMD in exec (JSON) form. */
export function parseExecForm(text: string): string[] {
  const value = JSON.parse(text) as unknown;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw new Error(`${text}: expected the exec form, a JSON array of strings`);
  return value;
}
