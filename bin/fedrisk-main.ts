/**
 * Dispatch to the subcommand groups; each group's code lives in its own folder and returns an exit code.
 */
const USAGE = `usage: fedrisk <group> <command> [flags]
  coordinator   serve | status                       the consortium's coordinator (operator)
  node          run | models                         an institution's node
  decision      serve | keys | models | audit | pii | migrate   the lender-facing decision API
  simulate      [--dataset ...] [--demo]             a whole consortium on this machine
Run \`fedrisk <group> --help\` for a group's flags.
`;

export async function main(argv: string[]): Promise<number> {
  const [group, ...rest] = argv;
  switch (group) {
    case 'coordinator':
      return (await import('../coordinator/cli.js')).runCoordinatorCli(rest);
    case 'node':
      return (await import('../node/cli.js')).runNodeCli(rest);
    case 'decision':
      return (await import('../decision/cli.js')).runDecisionCli(rest);
    case 'simulate':
      return (await import('../simulations/cli.js')).runSimulateCli(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return group === undefined ? 2 : 0;
    default:
      process.stderr.write(`fedrisk: unknown group ${JSON.stringify(group)}\n${USAGE}`);
      return 2;
  }
}
