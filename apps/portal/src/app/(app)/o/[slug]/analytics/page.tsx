'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { OrgCrumb } from '~/components/org-crumb';
import { Button } from '~/components/ui/button';
import { ChoiceButtons } from '~/components/ui/choice-buttons';
import { FieldShell } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { Select } from '~/components/ui/select';
import { useTRPC } from '~/trpc/client';
import { BurnDownSection } from './_components/burn-section';
import { NoScope } from './_components/no-scope';
import { Overview } from './_components/overview';
import { widerPreset } from './_components/range';
import { presetRange, RangePicker, type TimeRange } from './_components/range-picker';
import {
  type Filter,
  pickApi,
  pickSide,
  SIDE_LABEL,
  type Side,
  type SideScope,
  scopeSides,
} from './_components/scope';
import { TopList } from './_components/top-list';

/** Radix Select items cannot have an empty value: "all" stands for every API. */
const ALL = 'all';

export default function AnalyticsPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const scope = useQuery(trpc.analytics.scope.queryOptions({ orgSlug: slug }));
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const [chosenSide, setChosenSide] = useState<Side | null>(null);
  const [range, setRange] = useState<TimeRange>(() => presetRange('7d'));
  const [apiId, setApiId] = useState('');
  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>Analytics</h1>
        <Link href={`/o/${slug}/logs`}>Request logs</Link>
      </div>
      <QueryState query={scope} pendingLabel="Loading analytics">
        {(data) => {
          const sides = scopeSides(data);
          const side = pickSide(sides, chosenSide);
          if (!side) return <NoScope slug={slug} role={org.data?.role} />;
          const sideScope = data[side] as SideScope;
          const validApi = pickApi(sideScope, apiId);
          const filter: Filter = { orgSlug: slug, side, from: range.from, to: range.to };
          if (validApi) filter.apiId = validApi;
          const wider = widerPreset(range);
          return (
            <>
              <ChoiceButtons
                legend="View"
                size="sm"
                choices={sides.map((s) => ({ value: s, label: SIDE_LABEL[s] }))}
                value={side}
                onChange={(s) => {
                  setChosenSide(s);
                  setApiId('');
                }}
              />
              <div className="flex flex-wrap items-start gap-x-4 [&>*]:flex-[1_1_200px]">
                <RangePicker value={range} onChange={setRange} />
                <FieldShell id="analytics-api" label="API">
                  <Select
                    id="analytics-api"
                    value={validApi || ALL}
                    onValueChange={(value) => setApiId(value === ALL ? '' : value)}
                    options={[
                      { value: ALL, label: 'All APIs' },
                      ...sideScope.apis.map((a) => ({ value: a.id, label: a.name })),
                    ]}
                  />
                </FieldShell>
              </div>
              <Overview
                filter={filter}
                widen={
                  wider ? (
                    <Button variant="secondary" onClick={() => setRange(presetRange(wider.id))}>
                      Show the last {wider.label}
                    </Button>
                  ) : undefined
                }
              />
              <TopList filter={filter} />
              <BurnDownSection
                orgSlug={slug}
                side={side}
                subscriptions={sideScope.subscriptions.filter((s) => !validApi || s.api.id === validApi)}
              />
            </>
          );
        }}
      </QueryState>
    </>
  );
}
