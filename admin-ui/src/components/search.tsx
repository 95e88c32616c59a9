// A search or filter box for a list; the value goes into the route, so it survives reloads.
import { useEffect, useState } from 'preact/hooks';

export function SearchBox({ id, label, value, onSearch }: { id: string; label: string; value: string; onSearch: (value: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <form
      class="searchbar"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(text.trim());
      }}
    >
      <label for={id}>{label}</label>
      <input id={id} type="search" value={text} onInput={(event) => setText(event.currentTarget.value)} />
      <button type="submit" class="secondary">
        Search
      </button>
    </form>
  );
}
