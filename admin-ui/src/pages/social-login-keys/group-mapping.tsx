// The upstream-group → hub-group mapping of a Social Login Key, as editable rows.
import type { SocialLoginKey } from '../../api/types';

export interface MappingRow {
  upstream: string;
  hub: string;
}

export function rowsOf(mapping: SocialLoginKey['group_mapping']): MappingRow[] {
  return Object.entries(mapping ?? {}).map(([upstream, hub]) => ({ upstream, hub: String(hub) }));
}

/** Rows with both sides filled; the last row for an upstream group wins. */
export function mappingOf(rows: MappingRow[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const { upstream, hub } of rows) {
    if (upstream.trim() && hub.trim()) mapping[upstream.trim()] = hub.trim();
  }
  return mapping;
}

export function GroupMappingEditor({ rows, onRows, error }: { rows: MappingRow[]; onRows: (rows: MappingRow[]) => void; error: string | undefined }) {
  const update = (index: number, change: Partial<MappingRow>) => onRows(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <fieldset class="field group" id="group_mapping" aria-describedby={error ? 'group_mapping-error' : 'group_mapping-hint'}>
      <legend>Group mapping</legend>
      <p id="group_mapping-hint" class="hint">
        A user in an upstream group becomes a member of the hub group beside it.
      </p>
      {rows.length > 0 && (
        <table class="mapping">
          <thead>
            <tr>
              <th scope="col">Upstream group</th>
              <th scope="col">Hub group</th>
              <th scope="col">
                <span class="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={index}>
                <td>
                  <label class="visually-hidden" for={`mapping-upstream-${index}`}>
                    Upstream group {index + 1}
                  </label>
                  <input id={`mapping-upstream-${index}`} class="mono" value={row.upstream} onInput={(event) => update(index, { upstream: event.currentTarget.value })} />
                </td>
                <td>
                  <label class="visually-hidden" for={`mapping-hub-${index}`}>
                    Hub group {index + 1}
                  </label>
                  <input id={`mapping-hub-${index}`} class="mono" value={row.hub} onInput={(event) => update(index, { hub: event.currentTarget.value })} />
                </td>
                <td>
                  <button type="button" class="secondary small" aria-label={`Remove mapping ${index + 1}`} onClick={() => onRows(rows.filter((_, i) => i !== index))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" class="secondary small" onClick={() => onRows([...rows, { upstream: '', hub: '' }])}>
        Add a mapping
      </button>
      {error && (
        <p id="group_mapping-error" class="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
