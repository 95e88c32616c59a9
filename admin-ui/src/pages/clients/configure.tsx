// "Configure your app": the values an app of the chosen stack is configured with, under the
// names the stack gives them, each with a Copy button. Endpoints come from the hub's
// discovery document; the secret only while it is shown, right after it was made.
import { useId, useState } from 'preact/hooks';
import { discover } from '../../auth/discovery';
import { CopyField } from '../../components/copy';
import { SelectField } from '../../components/fields';
import { LoadState, useLoad } from '../../components/feedback';
import { type AppClient, hasSecret, rememberedStack, rememberStack, type Setting, STACK_OPTIONS, STACKS, type StackId } from './stacks';

export function ConfigureApp({ client, secret }: { client: AppClient; secret?: string }) {
  const [stack, setStack] = useState<StackId>(() => rememberedStack(client.client_id));
  const hub = useLoad(discover, []);
  const id = useId();
  const info = STACKS[stack];

  return (
    <section class="panel configure" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Configure your app</h2>
      <SelectField
        id={`${id}-stack`}
        label="Stack"
        value={stack}
        onValue={(next) => {
          setStack(next);
          rememberStack(client.client_id, next);
        }}
        options={STACK_OPTIONS}
      />
      <p class="hint">{info.where}</p>
      {!hub.data ? (
        <LoadState error={hub.error} onRetry={hub.reload} />
      ) : (
        info.settings(hub.data, client).map((setting, index) => (
          <Value key={`${stack}-${setting.name}`} id={`${id}-${index}`} setting={setting} client={client} secret={secret} />
        ))
      )}
      <p class="hint">
        {info.guide ? (
          <>
            The guide: <code>docs/apps/{info.guide}.md</code> in the hub’s repository
            {info.example ? (
              <>
                , with a complete example app in <code>examples/{info.example}/</code>.
              </>
            ) : (
              '.'
            )}
          </>
        ) : (
          <>
            More in the hub’s <code>README.md</code>, “Integrating an app”.
          </>
        )}
      </p>
    </section>
  );
}

function Value({ id, setting, client, secret }: { id: string; setting: Setting; client: AppClient; secret: string | undefined }) {
  if ('value' in setting) {
    if (setting.value === undefined) return null;
    return <CopyField id={id} label={setting.name} value={setting.value} hint={setting.hint} />;
  }
  if (secret) return <CopyField id={id} label={setting.name} value={secret} hint="Shown this once: copy it now." />;
  return (
    <div class="field" role="group" aria-labelledby={`${id}-name`}>
      <p id={`${id}-name`} class="setting-name">
        {setting.name}
      </p>
      <p class="hint">
        {hasSecret(client)
          ? 'The client secret: the hub showed it once, when it was made, and keeps it encrypted. “Rotate secret” above makes a new one (the old one stops working).'
          : `None: this client authenticates without a secret (${client.token_endpoint_auth_method}).`}
      </p>
    </div>
  );
}
