import { generateApiKey } from '@portcullis/core/keys';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';

/*
 * What the Responses API serves on a stored response besides GET and DELETE, through the official
 * `openai` client: its input items (the conversation it was generated from, paged like OpenAI's lists)
 * scoped to the calling app, and the background-only operations — streaming a stored response and
 * cancelling one — answered with a 400 that says why.
 */

const KEY = 'sk-responses-items-0000000000';

type Item = OpenAI.Responses.ResponseItem;

/** The list body as sent (the client's page object keeps only `data` and `has_more`). */
const listBody = (client: OpenAI, id: string, query: OpenAI.Responses.InputItemListParams = {}) =>
  client.get<OpenAI.Responses.ResponseItemList>(`/responses/${id}/input_items`, { query });

const textOf = (item: Item | undefined): string => {
  if (item?.type !== 'message') return '';
  return item.content.map((part) => ('text' in part ? part.text : '')).join('');
};

describe('AI Responses API stored responses: input items, streaming and cancelling', () => {
  let world: AiWorld;
  let openaiFake: FakeLlm;
  let client: OpenAI;
  let otherApp: OpenAI;

  beforeAll(async () => {
    world = await startAiWorld(false);
    openaiFake = await startFakeLlm({ flavor: 'openai', apiKey: KEY });
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: openaiFake.baseUrl, secret: KEY }],
      ai: ([id]) => ({ routes: [{ name: 'fast', targets: [{ credentialId: id, model: 'gpt-4o-mini' }] }] }),
    });
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
    // another app of the same consumer org, subscribed to the same plan
    const app = await world.db.app.create({ data: { orgId: seeded.consumer.org.id, name: 'second app' } });
    await world.db.subscription.create({ data: { appId: app.id, planId: seeded.plan.id, status: 'ACTIVE' } });
    const key = generateApiKey();
    await world.db.apiKey.create({
      data: { appId: app.id, name: 'second', hash: key.hash, prefix: key.prefix, last4: key.last4 },
    });
    otherApp = new OpenAI({ apiKey: key.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await openaiFake?.close();
  });

  it('lists the items a response was generated from, earlier turns included, newest first', async () => {
    const first = await client.responses.create({
      model: 'fast',
      input: 'My name is Ada',
      instructions: 'Be kind',
    });
    const second = await client.responses.create({
      model: 'fast',
      previous_response_id: first.id,
      input: [{ role: 'user', content: 'What is my name?' }],
    });

    const own = await client.responses.inputItems.list(first.id);
    expect(own.data).toEqual([
      {
        type: 'message',
        id: expect.stringMatching(/^msg_[0-9a-f]{48}$/),
        role: 'user',
        status: 'completed',
        content: [{ type: 'input_text', text: 'My name is Ada' }],
      },
    ]);
    expect(await listBody(client, first.id)).toEqual({
      object: 'list',
      data: own.data,
      first_id: own.data[0]?.id,
      last_id: own.data[0]?.id,
      has_more: false,
    });

    const page = await client.responses.inputItems.list(second.id);
    expect(page.data.map((item) => [item.type, 'role' in item ? item.role : null, textOf(item)])).toEqual([
      ['message', 'user', 'What is my name?'],
      ['message', 'assistant', DEFAULT_REPLY],
      ['message', 'user', 'My name is Ada'],
    ]);
    // the same items keep their ids: the earlier answer's id is its output id, the first input's is the
    // one the first response lists
    expect(page.data[1]?.id).toBe(first.output[0]?.id);
    expect(page.data[2]?.id).toBe(own.data[0]?.id);
    expect(await listBody(client, second.id)).toMatchObject({
      first_id: page.data[0]?.id,
      last_id: page.data[2]?.id,
    });
    expect((await client.responses.inputItems.list(second.id)).data).toEqual(page.data);

    const ascending = await client.responses.inputItems.list(second.id, { order: 'asc' });
    expect(ascending.data.map((item) => item.id)).toEqual(page.data.map((item) => item.id).reverse());
  });

  it('lists function calls and their outputs, and pages with limit and after (auto-pagination too)', async () => {
    const response = await client.responses.create({
      model: 'fast',
      input: [
        { role: 'user', content: 'What is the weather in Oslo?' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
        { role: 'assistant', content: 'It is sunny.' },
        { role: 'user', content: 'And tomorrow?' },
      ],
    });
    const all = await client.responses.inputItems.list(response.id, { order: 'asc' });
    expect(all.data.map((item) => item.type)).toEqual([
      'message',
      'function_call',
      'function_call_output',
      'message',
      'message',
    ]);
    expect(all.data[1]).toMatchObject({
      id: expect.stringMatching(/^fc_/),
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '{"city":"Oslo"}',
      status: 'completed',
    });
    expect(all.data[2]).toMatchObject({ id: expect.stringMatching(/^fco_/), output: 'sunny' });
    expect(all.data[3]).toMatchObject({
      role: 'assistant',
      content: [{ type: 'output_text', text: 'It is sunny.', annotations: [] }],
    });
    const ids = all.data.map((item) => item.id);

    const firstPage = await client.responses.inputItems.list(response.id, { limit: 2 });
    expect(firstPage.data.map((item) => item.id)).toEqual([ids[4], ids[3]]);
    expect(firstPage.has_more).toBe(true);
    expect(await listBody(client, response.id, { limit: 2 })).toMatchObject({
      first_id: ids[4],
      last_id: ids[3],
      has_more: true,
    });
    const secondPage = await client.responses.inputItems.list(response.id, { limit: 2, after: ids[3] });
    expect(secondPage.data.map((item) => item.id)).toEqual([ids[2], ids[1]]);
    expect(secondPage.has_more).toBe(true);
    const lastPage = await client.responses.inputItems.list(response.id, { limit: 2, after: ids[1] });
    expect(lastPage.data.map((item) => item.id)).toEqual([ids[0]]);
    expect(lastPage.has_more).toBe(false);

    const walked: string[] = [];
    for await (const item of client.responses.inputItems.list(response.id, { limit: 2, order: 'asc' })) {
      walked.push(item.id);
    }
    expect(walked).toEqual(ids);
  });

  it("answers 404 for another app's response, an unknown one and one not stored", async () => {
    const mine = await client.responses.create({ model: 'fast', input: 'Private notes' });
    const theirs = await otherApp.responses.inputItems.list(mine.id).catch((e: unknown) => e);
    expect(theirs).toBeInstanceOf(OpenAI.NotFoundError);
    expect(String((theirs as Error).message)).not.toContain('Private');
    await expect(client.responses.inputItems.list('resp_unknown')).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    const unstored = await client.responses.create({ model: 'fast', input: 'Forget me', store: false });
    await expect(client.responses.inputItems.list(unstored.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    // still listed for its own app
    expect((await client.responses.inputItems.list(mine.id)).data).toHaveLength(1);
  });

  it("refuses a bad limit, order, cursor or include in OpenAI's error shape", async () => {
    const response = await client.responses.create({ model: 'fast', input: 'Page me' });
    const refused = (query: OpenAI.Responses.InputItemListParams) =>
      client.responses.inputItems.list(response.id, query).catch((e: unknown) => e);
    for (const limit of [0, 101]) {
      const error = await refused({ limit });
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'limit' });
      expect((error as Error).message).toContain(String(limit));
    }
    expect(await refused({ order: 'sideways' as 'asc' })).toMatchObject({ status: 400, param: 'order' });
    expect(await refused({ after: 'msg_nowhere' })).toMatchObject({ status: 400, param: 'after' });
    expect(await refused({ include: ['file_search_call.results'] })).toMatchObject({
      status: 400,
      param: 'include',
      code: 'unsupported_parameter',
    });
    const images = await client.responses.inputItems.list(response.id, {
      include: ['message.input_image.image_url'],
    });
    expect(images.data).toHaveLength(1);
  });

  it('refuses to stream or cancel a stored response: only background responses allow it', async () => {
    const response = await client.responses.create({ model: 'fast', input: 'Done already' });
    const streamed = await client.responses.retrieve(response.id, { stream: true }).catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(OpenAI.BadRequestError);
    expect(streamed).toMatchObject({ param: 'stream', code: 'background_not_supported' });
    expect((streamed as Error).message).toContain('background=true');
    const cancelled = await client.responses.cancel(response.id).catch((e: unknown) => e);
    expect(cancelled).toBeInstanceOf(OpenAI.BadRequestError);
    expect(cancelled).toMatchObject({ type: 'invalid_request_error', code: 'background_not_supported' });
    expect((cancelled as Error).message).toContain('background=true');
    // the response is untouched, and JSON reads still work
    expect((await client.responses.retrieve(response.id)).status).toBe('completed');
    expect((await client.responses.retrieve(response.id, { stream: false })).output_text).toBe(DEFAULT_REPLY);

    // another app's or an unknown id is not found, as for any read
    await expect(otherApp.responses.cancel(response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(otherApp.responses.retrieve(response.id, { stream: true })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    await expect(client.responses.cancel('resp_unknown')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
