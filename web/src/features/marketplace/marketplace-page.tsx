import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { FilterBar, type FilterField, type FilterValue } from '../../components/filter-bar';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { formatPrice, formatRating, useListings, type BrowseQuery, type ListingSummary } from './queries';

type FilterName = 'q' | 'category' | 'price' | 'max_price';

const PRICE_CHOICES: Record<string, BrowseQuery['price']> = { Free: 'free', Paid: 'paid' };

const fields: Array<FilterField<FilterName>> = [
  { type: 'text', name: 'q', label: 'Search', placeholder: 'Words in the title or description' },
  { type: 'text', name: 'category', label: 'Category', placeholder: 'For example weather' },
  { type: 'select', name: 'price', label: 'Price', options: Object.keys(PRICE_CHOICES) },
  { type: 'number', name: 'max_price', label: 'At most (per call)', min: 0 },
];

/** The marketplace (docs/marketplace.md, "Users"): live listings by text, category and price. */
export default function MarketplacePage() {
  const [values, setValues] = useState<Record<FilterName, FilterValue>>({ q: '', category: '', price: null, max_price: null });
  const [debounced] = useDebouncedValue(values, 300);
  const query: BrowseQuery = {};
  if (typeof debounced.q === 'string' && debounced.q.trim()) query.q = debounced.q.trim();
  if (typeof debounced.category === 'string' && debounced.category.trim()) query.category = debounced.category.trim();
  if (typeof debounced.price === 'string') query.price = PRICE_CHOICES[debounced.price];
  if (typeof debounced.max_price === 'number') query.max_price = String(debounced.max_price);
  const listings = useListings(query);
  const filtered = Object.keys(query).length > 0;

  return (
    <Page title="Marketplace" lead="MCP services offered by providers. Install one to use it from your MCP clients; each was reviewed by an administrator.">
      <FilterBar fields={fields} values={values} onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))} />
      {listings.isPending ? (
        <LoadingState label="Loading the marketplace…" />
      ) : listings.isError ? (
        <ErrorState title="The marketplace could not be loaded" error={listings.error} onRetry={() => void listings.refetch()} />
      ) : listings.data.length === 0 ? (
        <EmptyState title={filtered ? 'No listing matches these filters' : 'The marketplace is empty'}>
          {filtered ? 'Try fewer words, another category or price, or clear the filters.' : 'No provider has a reviewed listing yet. Come back later.'}
        </EmptyState>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} aria-busy={listings.isFetching} data-testid="listings">
          {listings.data.map((l) => (
            <ListingCard key={l.id} listing={l} />
          ))}
        </SimpleGrid>
      )}
    </Page>
  );
}

function ListingCard({ listing }: { listing: ListingSummary }) {
  return (
    <Card withBorder radius="md" padding="md" component="article" aria-labelledby={`listing-${listing.id}`} data-listing={listing.slug}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Anchor component={Link} to={`/marketplace/${listing.slug}`} fw={600} id={`listing-${listing.id}`}>
            {listing.title}
          </Anchor>
          {listing.installed && (
            <Badge color="teal" variant="light">
              Installed
            </Badge>
          )}
        </Group>
        <Text size="sm" c="dimmed">
          by {listing.provider.display_name}
        </Text>
        <Text size="sm" lineClamp={3}>
          {listing.description || 'No description.'}
        </Text>
        <Group gap="xs">
          {(listing.categories ?? []).map((c) => (
            <Badge key={c} variant="outline" size="sm">
              {c}
            </Badge>
          ))}
        </Group>
        <Group justify="space-between">
          <Text size="sm" fw={600}>
            {formatPrice(listing.price)}
          </Text>
          <Text size="sm">{formatRating(listing.rating)}</Text>
        </Group>
        <Text size="xs" c="dimmed">
          {listing.installs} {listing.installs === 1 ? 'install' : 'installs'} · version {listing.version}
        </Text>
      </Stack>
    </Card>
  );
}
