/** Command-line flags of `bench/run.ts`. */
export interface BenchArgs {
  /** Events pre-published for stages (a), (b) and (c). */
  events: number;
  /** Share of producer retries (same id and body) among published messages; JetStream drops them. */
  duplicates: number;
  /** Rows per INSERT statement in stage (b) (the processor's default batch is 1000). */
  insertBatch: number;
  /** Steady publish rate (events/s) of the latency phase; 0 skips the phase. */
  latencyRate: number;
  latencySeconds: number;
  /** Runs the processor with a CPU profiler and SQL timing preload during stage (c). */
  profile: boolean;
  /** Extra environment for the processor child (e.g. PROCESSOR_BATCH_SIZE=2000). */
  processorEnv: Record<string, string>;
  /** Give every page view its own path, so `page_views` (grouped by path) sees ~N/2 distinct groups. */
  distinctPaths: boolean;
  /** Seed of the traffic generator. */
  seed: number;
  /** Label stored with the results (free text). */
  label: string;
  help: boolean;
}

export const USAGE = `Usage: npx tsx bench/run.ts [flags]

  --events N             events pre-published and measured in (a), (b), (c)   [100000]
  --duplicates F         share of producer retries (0..0.5); deduplicated by JetStream [0]
  --insert-batch N       rows per INSERT in stage (b)                          [1000]
  --latency-rate R       steady publish rate of the latency phase, events/s; 0 = skip [2000]
  --latency-seconds S    duration of the latency phase                         [10]
  --profile              CPU-profile the processor and time its SQL during (c)
                         (slows (c) a little; results are labelled "profiled")
  --processor-env K=V    extra environment for the processor (repeatable),
                         e.g. --processor-env PROCESSOR_BATCH_SIZE=2000
  --distinct-paths       every page view gets a unique path: a high-cardinality group-by
                         (memory bound check: processor RSS must stay flat)
  --seed N               traffic generator seed                                [42]
  --label TEXT           free-text label stored in the JSON result
  --case history         run the history benchmark instead (see bench/history/run.ts;
                         npm run bench -- --case history --help-less flags there)
  --help                 this text

  --case fanout          instead: the live fan-out case (1000 Socket.IO clients in a child
                         process while events flow); flags --clients N [1000],
                         --rate R [10000], --seconds S [20], --label TEXT (bench/fanout.ts)
`;

function numberFlag(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} needs a number between ${min} and ${max} (got ${raw ?? "nothing"})`);
  }
  return value;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = {
    events: 100_000,
    duplicates: 0,
    insertBatch: 1000,
    latencyRate: 2000,
    latencySeconds: 10,
    profile: false,
    processorEnv: {},
    distinctPaths: false,
    seed: 42,
    label: "",
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => argv[++i];
    switch (flag) {
      case "--events":
        args.events = Math.floor(numberFlag(flag, next(), 1000, 10_000_000));
        break;
      case "--duplicates":
        args.duplicates = numberFlag(flag, next(), 0, 0.5);
        break;
      case "--insert-batch":
        args.insertBatch = Math.floor(numberFlag(flag, next(), 1, 10_000));
        break;
      case "--latency-rate":
        args.latencyRate = Math.floor(numberFlag(flag, next(), 0, 100_000));
        break;
      case "--latency-seconds":
        args.latencySeconds = numberFlag(flag, next(), 1, 600);
        break;
      case "--distinct-paths":
        args.distinctPaths = true;
        break;
      case "--profile":
        args.profile = true;
        break;
      case "--processor-env": {
        const pair = next() ?? "";
        const eq = pair.indexOf("=");
        if (eq <= 0) throw new Error(`--processor-env needs KEY=VALUE (got "${pair}")`);
        args.processorEnv[pair.slice(0, eq)] = pair.slice(eq + 1);
        break;
      }
      case "--seed":
        args.seed = Math.floor(numberFlag(flag, next(), 0, 2 ** 31));
        break;
      case "--label":
        args.label = next() ?? "";
        break;
      case "--help":
      case "-h":
        args.help = true;
        break;
      default:
        throw new Error(`unknown flag ${flag ?? ""}\n\n${USAGE}`);
    }
  }
  return args;
}
