// Groups: named sets of users, released to apps in the `groups` claim. `admins` may use
// this admin UI.
import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import type { Group } from '../api/types';
import { ConfirmButton } from '../components/dialogs';
import { Checkbox, optional, TextField } from '../components/fields';
import { FormProblem, LoadState, Notice, useLoad, useSubmit } from '../components/feedback';
import { Empty, PageTitle, Pagination, When } from '../components/layout';
import { href, navigate, pageOf, queryObject } from '../router';

export function GroupList({ query }: { query: URLSearchParams }) {
  const { limit, offset } = pageOf(query);
  const list = useLoad(() => unwrap(api.GET('/groups', { params: { query: { limit, offset } } })), [limit, offset]);
  return (
    <>
      <PageTitle title="Groups">
        <a class="button" href={href(['groups', 'new'])}>
          New group
        </a>
      </PageTitle>
      {!list.data ? (
        <LoadState error={list.error} onRetry={list.reload} />
      ) : list.data.items.length === 0 ? (
        <Empty>No groups yet.</Empty>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Members</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((group) => (
                <tr key={group.id}>
                  <td>
                    <a href={href(['group', group.id])}>{group.name}</a>
                  </td>
                  <td>{group.description ?? ''}</td>
                  <td>
                    <a href={href(['users'], { group: group.name })} aria-label={`${group.member_count} members of ${group.name}`}>
                      {group.member_count}
                    </a>
                  </td>
                  <td>
                    <When value={group.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination page={list.data} limit={limit} offset={offset} path={['groups']} query={queryObject(query)} />
        </>
      )}
    </>
  );
}

function GroupForm({ initial, submitLabel, onSubmit }: { initial?: Group; submitLabel: string; onSubmit: (body: { name: string; description?: string | undefined; require_second_factor: boolean }) => Promise<void> }) {
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [requireSecondFactor, setRequireSecondFactor] = useState(initial?.require_second_factor ?? false);
  const submit = useSubmit();
  return (
    <form
      class="form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit.run(() => onSubmit({ name: name.trim(), description: optional(description), require_second_factor: requireSecondFactor }));
      }}
    >
      <FormProblem error={submit.error} fields={['name', 'description', 'require_second_factor']} />
      <fieldset>
        <legend>Group</legend>
        <TextField id="name" label="Name" required code value={name} onValue={setName} hint="Released to apps in the groups claim." error={submit.fieldErrors.name} />
        <TextField id="description" label="Description" value={description} onValue={setDescription} error={submit.fieldErrors.description} />
        <Checkbox
          id="require_second_factor"
          label="Members must use a second factor at every sign-in"
          checked={requireSecondFactor}
          onValue={setRequireSecondFactor}
          hint="Members without one set it up at their next sign-in."
          error={submit.fieldErrors.require_second_factor}
        />
      </fieldset>
      <div class="form-actions">
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}

export function GroupNew() {
  return (
    <>
      <PageTitle title="New group" back={{ to: href(['groups']), label: 'Groups' }} />
      <GroupForm
        submitLabel="Create group"
        onSubmit={async (body) => {
          const created = await unwrap(api.POST('/groups', { body }));
          navigate(['group', created.id]);
        }}
      />
    </>
  );
}

export function GroupEdit({ id }: { id: string }) {
  const path = { params: { path: { id } } };
  const group = useLoad(() => unwrap(api.GET('/groups/{id}', path)), [id]);
  const [saved, setSaved] = useState(false);
  const back = { to: href(['groups']), label: 'Groups' };
  if (!group.data) {
    return (
      <>
        <PageTitle title="Group" back={back} />
        <LoadState error={group.error} onRetry={group.reload} />
      </>
    );
  }
  const current = group.data;
  return (
    <>
      <PageTitle title={current.name} back={back}>
        <ConfirmButton
          label="Delete"
          title="Delete this group?"
          confirmLabel="Delete group"
          onConfirm={async () => {
            await unwrap(api.DELETE('/groups/{id}', path));
            navigate(['groups']);
          }}
        >
          <p>
            <strong>{current.name}</strong> is removed from its {current.member_count} member(s); apps no longer see it in the
            groups claim.
            {current.name === 'admins' && ' Nobody will be able to use this admin UI except with the bootstrap admin token.'}
          </p>
        </ConfirmButton>
      </PageTitle>
      <dl class="facts">
        <dt>Members</dt>
        <dd>
          <a href={href(['users'], { group: current.name })}>{current.member_count}</a>
        </dd>
        <dt>Created</dt>
        <dd>
          <When value={current.created_at} />
        </dd>
      </dl>
      {saved && <Notice kind="success">Saved.</Notice>}
      <GroupForm
        key={`${current.name}\n${current.description ?? ''}\n${current.require_second_factor}`}
        initial={current}
        submitLabel="Save changes"
        onSubmit={async (body) => {
          await unwrap(api.PUT('/groups/{id}', { ...path, body }));
          setSaved(true);
          group.reload();
        }}
      />
    </>
  );
}
