/** `cairn config show [--json]`: the effective configuration, secrets masked, each setting with where it came from. */
import { loadConfigWithSources } from '../config/load';
import { showConfig } from '../config/show';
import { table } from './format';

export function configCommand(sub: string | undefined, opts: { json: boolean }): number {
  if (sub !== 'show') {
    console.error(`cairn config: unknown subcommand '${sub ?? ''}' (try: cairn config show [--json])`);
    return 2;
  }
  const rows = showConfig(loadConfigWithSources());
  console.log(opts.json ? JSON.stringify(rows, null, 2) : table(['setting', 'value', 'from'], rows.map((r) => [r.setting, r.value, r.from])));
  return 0;
}
