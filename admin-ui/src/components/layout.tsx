// Page scaffolding: the title (focused on arrival, for screen readers), dates, pagination.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { href, type Query } from '../router';

export function PageTitle({ title, back, children }: { title: string; back?: { to: string; label: string }; children?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · hub admin`;
    heading.current?.focus();
  }, [title]);
  return (
    <div class="page-title">
      {back && (
        <a class="back" href={back.to}>
          ← {back.label}
        </a>
      )}
      <div class="title-row">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {children && <div class="title-actions">{children}</div>}
      </div>
    </div>
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function When({ value }: { value: string | null | undefined }) {
  if (!value) return <span class="muted">—</span>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  return (
    <time dateTime={value} title={date.toISOString()}>
      {dateFormat.format(date)}
    </time>
  );
}

/** The counts every list page carries (`total` stops counting at 10,000). */
export interface PageExtent {
  total: number;
  total_is_lower_bound: boolean;
  next?: string;
}

/** "1–50 of 123" (or "of 10,000+") with links to the previous and next page; the route keeps the filters. */
export function Pagination({ page, limit, offset, path, query }: { page: PageExtent; limit: number; offset: number; path: string[]; query: Query }) {
  const { total } = page;
  if (total === 0) return null;
  const first = Math.min(offset + 1, total);
  const last = page.total_is_lower_bound ? offset + limit : Math.min(offset + limit, total);
  const previous = offset > 0 ? href(path, { ...query, offset: Math.max(0, offset - limit) || undefined }) : undefined;
  const next = page.next !== undefined ? href(path, { ...query, offset: offset + limit }) : undefined;
  return (
    <nav class="pagination" aria-label="Pagination">
      <span>
        {first}–{last} of {total.toLocaleString('en')}
        {page.total_is_lower_bound ? '+' : ''}
      </span>
      {previous ? <a href={previous}>← Previous</a> : <span class="disabled" aria-hidden="true">← Previous</span>}
      {next ? <a href={next}>Next →</a> : <span class="disabled" aria-hidden="true">Next →</span>}
    </nav>
  );
}

export function Badge({ tone = 'neutral', children }: { tone?: 'neutral' | 'good' | 'warn' | 'bad'; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
