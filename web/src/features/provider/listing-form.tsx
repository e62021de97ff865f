import { Alert, Code, Group, PasswordInput, Radio, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { FormActions } from '../../components/form-actions';
import { ErrorState } from '../../components/states';
import { TransportSelect, type HttpTransport } from '../../components/transport-select';
import { useSubmitListing, useSubmitVersion, type ListingSubmission, type ProviderListing, type VersionSubmission } from './queries';

type ListingKind = 'http' | 'npm';
type CredentialField = NonNullable<ListingSubmission['credentials']>[number];
type ProviderVersion = ProviderListing['versions'][number];

export interface Draft {
  slug: string;
  title: string;
  description: string;
  categories: string;
  price: string;
  kind: ListingKind;
  url: string;
  transport: HttpTransport;
  npmPackage: string;
  npmVersion: string;
  integrity: string;
  bin: string;
  /** The credential's header (http) or environment variable (npm). */
  credentialTarget: string;
  credentialTitle: string;
  testKey: string;
  changelog: string;
}
type DraftErrors = Partial<Record<keyof Draft, string>>;

const EMPTY: Draft = {
  slug: '',
  title: '',
  description: '',
  categories: '',
  price: '',
  kind: 'http',
  url: '',
  transport: 'streamable-http',
  npmPackage: '',
  npmVersion: '',
  integrity: '',
  bin: '',
  credentialTarget: '',
  credentialTitle: '',
  testKey: '',
  changelog: '',
};

// The API's own rules (src/marketplace/schemas.ts, src/catalog/definition.ts), so most mistakes are caught before sending.
const SLUG = /^[a-z][a-z0-9-]{0,62}$/;
const CATEGORY = /^[a-z][a-z0-9-]{0,31}$/;
const PRICE = /^\d{1,9}(\.\d{1,6})?$/;
const NPM_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const INTEGRITY = /^sha512-[A-Za-z0-9+/]{86}==$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const BIN = /^[A-Za-z0-9._@/-]{1,100}$/;

const categoriesOf = (text: string) =>
  text
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);

/** What the form checks before sending; the server checks the rest (a taken slug, a refused address, a reserved name). */
export function checkDraft(d: Draft, isNew: boolean): DraftErrors {
  const errors: DraftErrors = {};
  if (isNew && !SLUG.test(d.slug)) errors.slug = 'Lowercase letters, digits and dashes, starting with a letter';
  if (!d.title.trim()) errors.title = 'Give a title';
  const badCategory = categoriesOf(d.categories).find((c) => !CATEGORY.test(c));
  if (badCategory) errors.categories = `"${badCategory}": lowercase letters, digits and dashes, starting with a letter`;
  if (d.price.trim() && !PRICE.test(d.price.trim())) errors.price = 'A decimal with at most 6 places, or empty for free';
  if (d.kind === 'http') {
    try {
      if (!/^https?:$/.test(new URL(d.url.trim()).protocol)) errors.url = 'An http or https URL';
    } catch {
      errors.url = 'An http or https URL';
    }
    if (d.credentialTarget.trim() && !HEADER_NAME.test(d.credentialTarget.trim())) errors.credentialTarget = 'An HTTP header name, such as x-api-key';
  } else {
    if (!NPM_NAME.test(d.npmPackage.trim())) errors.npmPackage = 'An npm package name, such as weather-mcp or @acme/weather-mcp';
    if (!EXACT_VERSION.test(d.npmVersion.trim())) errors.npmVersion = 'An exact version such as 1.2.3: not a range (^1.2.0) or a tag (latest)';
    if (!INTEGRITY.test(d.integrity.trim())) errors.integrity = 'The sha512 integrity the registry gives (dist.integrity): sha512- and 88 base64 characters';
    if (d.bin.trim() && !BIN.test(d.bin.trim())) errors.bin = 'The name of one of the package’s bins';
    if (d.credentialTarget.trim() && !ENV_NAME.test(d.credentialTarget.trim())) errors.credentialTarget = 'An upper-case environment variable name, such as ACME_API_KEY';
  }
  if (d.credentialTarget.trim() && !d.credentialTitle.trim()) errors.credentialTitle = 'Name the credential for users';
  return errors;
}

/** The draft as the API's body (a version has no slug; the first credential field is the form's, the others are kept as they were). */
export function toVersionBody(d: Draft, keptCredentials: CredentialField[]): VersionSubmission {
  const target = d.credentialTarget.trim();
  const credential: CredentialField | undefined = target
    ? { name: 'api_key', title: d.credentialTitle.trim(), inject: d.kind === 'http' ? { header: target } : { env: target } }
    : undefined;
  const source: VersionSubmission['source'] =
    d.kind === 'http'
      ? { type: 'http', url: d.url.trim(), transport: d.transport }
      : { type: 'npm', package: d.npmPackage.trim(), version: d.npmVersion.trim(), integrity: d.integrity.trim(), ...(d.bin.trim() ? { bin: d.bin.trim() } : {}) };
  return {
    title: d.title.trim(),
    description: d.description.trim(),
    categories: categoriesOf(d.categories),
    price: d.price.trim() ? { per_call: d.price.trim(), currency: 'USD' } : null,
    source,
    credentials: [...(credential ? [credential] : []), ...keptCredentials],
    changelog: d.changelog.trim(),
    ...(credential && d.testKey ? { test_credentials: { api_key: d.testKey } } : {}),
  };
}

/** The newest version of a listing (the API lists them newest first; sorted here so the order does not matter). */
export function latestVersion(listing: ProviderListing): ProviderVersion | undefined {
  return [...listing.versions].sort((a, b) => b.version - a.version)[0];
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const trimZeros = (decimal: string) => decimal.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');

/** A new version starts from the latest one: its metadata, its source and its first credential field (the rest are kept). */
function draftFromVersion(v: ProviderVersion): { draft: Draft; kept: CredentialField[] } {
  const source = v.source;
  const [first, ...kept] = (v.credentials ?? []) as CredentialField[];
  const inject = (first?.inject ?? {}) as { header?: string; env?: string };
  const firstIsOurs = first?.name === 'api_key' && (inject.header !== undefined || inject.env !== undefined);
  return {
    draft: {
      ...EMPTY,
      title: v.title,
      description: v.description ?? '',
      categories: (v.categories ?? []).join(', '),
      price: v.price ? trimZeros(v.price.per_call) : '',
      kind: source.type === 'npm' ? 'npm' : 'http',
      url: text(source.url),
      transport: source.transport === 'sse' ? 'sse' : 'streamable-http',
      npmPackage: text(source.package),
      npmVersion: text(source.version),
      integrity: text(source.integrity),
      bin: text(source.bin),
      credentialTarget: firstIsOurs ? (inject.header ?? inject.env ?? '') : '',
      credentialTitle: firstIsOurs ? first.title : '',
    },
    kept: firstIsOurs ? kept : ((v.credentials ?? []) as CredentialField[]),
  };
}

type Target = { kind: 'listing'; npmEnabled: boolean } | { kind: 'version'; listing: ProviderListing; npmEnabled: boolean };

/**
 * Submit a listing (version 1) or a new version of one. Either way the platform connects to it at
 * once (the inspection) and the version waits for an administrator; the live version changes only
 * when they approve (docs/marketplace.md, "Review").
 */
export function ListingForm({ target, onDone }: { target: Target; onDone: () => void }) {
  const isNew = target.kind === 'listing';
  const [initial] = useState(() => {
    const latest = target.kind === 'version' ? latestVersion(target.listing) : undefined;
    return latest ? draftFromVersion(latest) : { draft: EMPTY, kept: [] };
  });
  const submitListing = useSubmitListing();
  const submitVersion = useSubmitVersion(target.kind === 'version' ? target.listing.id : '');
  const submit = isNew ? submitListing : submitVersion;
  const [draft, setDraft] = useState<Draft>(initial.draft);
  const [shown, setShown] = useState<DraftErrors>({});
  const set = <K extends keyof Draft>(name: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [name]: value }));
    setShown((s) => ({ ...s, [name]: undefined }));
  };
  const field = (name: keyof Draft) => ({
    value: draft[name],
    error: shown[name],
    onChange: (e: { currentTarget: { value: string } }) => set(name, e.currentTarget.value),
  });
  const unsent = Object.values(shown).filter(Boolean).length;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const errors = checkDraft(draft, isNew);
    setShown(errors);
    if (Object.keys(errors).length > 0) return;
    const body = toVersionBody(draft, initial.kept);
    const done = {
      onSuccess: () => {
        notifications.show({ color: 'teal', title: 'Submitted', message: 'The platform inspected it; it now waits for review.' });
        onDone();
      },
    };
    if (target.kind === 'listing') submitListing.mutate({ slug: draft.slug, ...body } as ListingSubmission, done);
    else submitVersion.mutate(body, done);
  };
  // A new version keeps its listing's kind (the API refuses a change); npm needs MARKETPLACE_NPM.
  const npmOff = !target.npmEnabled && !(target.kind === 'version' && target.listing.kind === 'npm');

  return (
    <form onSubmit={onSubmit} noValidate aria-label={isNew ? 'Submit a listing' : `Submit version ${latestVersion(target.listing)!.version + 1}`}>
      <Stack>
        {target.kind === 'version' && (
          <Text size="sm" c="dimmed">
            Filled in from version {latestVersion(target.listing)!.version}. {target.listing.live_version ? `Version ${target.listing.live_version} stays live until an administrator approves this one.` : 'Nothing is live until an administrator approves a version.'}
          </Text>
        )}
        {unsent > 0 && (
          <Alert color="red" role="alert" title="Check the marked fields">
            Nothing was sent: {unsent} field(s) need a change.
          </Alert>
        )}
        {isNew ? (
          <Radio.Group label="Kind" value={draft.kind} onChange={(v) => set('kind', v === 'npm' ? 'npm' : 'http')}>
            <Group mt={4}>
              <Radio value="http" label="Remote http endpoint" />
              <Radio value="npm" label="npm package (run over stdio)" disabled={npmOff} />
            </Group>
          </Radio.Group>
        ) : (
          <Text size="sm">
            Kind: <strong>{draft.kind === 'npm' ? 'npm package (run over stdio)' : 'remote http endpoint'}</strong> (a new version keeps its listing's kind)
          </Text>
        )}
        {isNew && npmOff && (
          <Alert color="gray" title="npm listings are not enabled on this platform" data-testid="npm-disabled">
            The operator has not turned on <Code>MARKETPLACE_NPM</Code> (it runs providers' code on the platform's hosts), so only remote http endpoints can be listed here.
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: isNew ? 2 : 1 }}>
          {isNew && <TextInput label="Slug" description="Its address: /mcp/<slug>" withAsterisk {...field('slug')} />}
          <TextInput label="Title" withAsterisk {...field('title')} />
        </SimpleGrid>
        <Textarea label="Description" autosize minRows={2} {...field('description')} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Categories" description="Comma-separated" {...field('categories')} />
          <TextInput label="Price per call (USD)" description="Empty: free" {...field('price')} />
        </SimpleGrid>
        {draft.kind === 'http' ? (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="MCP endpoint URL" withAsterisk {...field('url')} />
            <TransportSelect value={draft.transport} onChange={(v) => set('transport', v)} />
          </SimpleGrid>
        ) : (
          <>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label="npm package" withAsterisk {...field('npmPackage')} />
              <TextInput label="Exact version" description="Pinned: 1.2.3, no range or tag" withAsterisk {...field('npmVersion')} />
            </SimpleGrid>
            <TextInput label="Integrity" description="The registry's dist.integrity (npm view <package>@<version> dist.integrity)" withAsterisk {...field('integrity')} />
            <TextInput label="Bin (optional)" description="Which of the package's bins to run; empty: its only one" {...field('bin')} />
          </>
        )}
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          {draft.kind === 'http' ? (
            <TextInput label="Credential header (optional)" description="For example x-api-key" {...field('credentialTarget')} />
          ) : (
            <TextInput label="Credential variable (optional)" description="For example ACME_API_KEY" {...field('credentialTarget')} />
          )}
          <TextInput label="Credential title" description="What users are asked for" {...field('credentialTitle')} />
          <PasswordInput label="Key for the review" description="Used once, never stored" {...field('testKey')} />
        </SimpleGrid>
        {initial.kept.length > 0 && (
          <Text size="sm" c="dimmed">
            {initial.kept.length} more credential field(s) of version {latestVersion((target as Extract<Target, { kind: 'version' }>).listing)!.version} are kept as they are.
          </Text>
        )}
        <Textarea label="Changelog" description={isNew ? undefined : 'What changed: users see it on the listing'} autosize minRows={2} {...field('changelog')} />
        {submit.isError && <ErrorState title={isNew ? 'The listing was not submitted' : 'The version was not submitted'} error={submit.error} />}
        <FormActions submitLabel="Submit for review" pending={submit.isPending} onCancel={onDone} />
      </Stack>
    </form>
  );
}
