// Apollo Client against a running Bron, watching every HTTP request it sends.
//
//   node apollo.mjs apq    automatic persisted queries: a hash Bron does not
//                          know gets PERSISTED_QUERY_NOT_FOUND and the link
//                          sends the query with it; the next time the hash
//                          alone is enough. Over POST, then GET
//                          (useGETForHashedQueries).
//   node apollo.mjs batch  BatchHttpLink: several operations in one POST,
//                          answered in order; more than Bron's 10 refused.
//
// BRON_URL: the server's /graphql.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { BatchHttpLink } from "@apollo/client/link/batch-http";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const url = process.env.BRON_URL;
let sent = [];

// fetch as the links call it, with each request and its answer kept.
async function watchedFetch(input, init = {}) {
  const res = await fetch(input, init);
  const text = await res.clone().text();
  const target = new URL(String(input));
  let body = null;
  if (typeof init.body === "string") body = JSON.parse(init.body);
  sent.push({
    method: (init.method ?? "GET").toUpperCase(),
    params: Object.fromEntries(target.searchParams),
    body,
    status: res.status,
    answer: text ? JSON.parse(text) : null,
  });
  return res;
}

const sha256 = (query) => createHash("sha256").update(query).digest("hex");

function client(link) {
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

const PRODUCT = gql`
  query Product($slug: String!) {
    product(slug: $slug) {
      id
      title
    }
  }
`;
const QUESTION_COUNT = gql`
  query Questions {
    questions(first: 1) {
      totalCount
    }
  }
`;

/// Runs `query` with a fresh client on `link`; returns the data and the requests.
async function run(link, query, variables) {
  sent = [];
  const { data } = await client(link).query({ query, variables, fetchPolicy: "no-cache" });
  return { data, requests: sent };
}

async function apq() {
  const http = () => new HttpLink({ uri: url, fetch: watchedFetch });
  const vars = { slug: "paspoort-aanvragen" };

  // POST: not found, then sent with the query.
  const post = () => new PersistedQueryLink({ sha256 }).concat(http());
  let r = await run(post(), PRODUCT, vars);
  assert.equal(r.data.product.title, "Paspoort aanvragen");
  assert.equal(r.requests.length, 2, JSON.stringify(r.requests));
  const [miss, full] = r.requests;
  assert.equal(miss.method, "POST");
  assert.equal(miss.body.query, undefined, "the first request sends the hash alone");
  const hash = miss.body.extensions.persistedQuery.sha256Hash;
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(miss.answer.errors[0].extensions.code, "PERSISTED_QUERY_NOT_FOUND");
  assert.equal(full.method, "POST");
  assert.equal(sha256(full.body.query), hash);
  assert.equal(full.body.extensions.persistedQuery.sha256Hash, hash);
  // A new client (say, another browser): the hash alone is a hit.
  r = await run(post(), PRODUCT, vars);
  assert.equal(r.requests.length, 1);
  assert.equal(r.requests[0].body.query, undefined);
  assert.equal(r.requests[0].answer.errors, undefined);
  assert.equal(r.data.product.title, "Paspoort aanvragen");

  // GET for hashed queries: another query, so Bron does not know it yet.
  const get = () =>
    new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(http());
  r = await run(get(), QUESTION_COUNT);
  assert.ok(r.data.questions.totalCount > 0);
  assert.deepEqual(
    r.requests.map((q) => q.method),
    ["GET", "POST"],
    "a GET with the hash, then the query by POST",
  );
  assert.equal(r.requests[0].params.query, undefined);
  assert.match(r.requests[0].params.extensions, /sha256Hash/);
  assert.equal(r.requests[0].answer.errors[0].extensions.code, "PERSISTED_QUERY_NOT_FOUND");
  r = await run(get(), QUESTION_COUNT);
  assert.equal(r.requests.length, 1);
  assert.equal(r.requests[0].method, "GET");
  assert.equal(r.requests[0].params.query, undefined);
  assert.equal(r.requests[0].status, 200);
  assert.ok(r.data.questions.totalCount > 0);
  return { hash, getUrlParams: Object.keys(r.requests[0].params).sort() };
}

async function batch() {
  const link = (batchMax) =>
    new BatchHttpLink({ uri: url, batchMax, batchInterval: 20, fetch: watchedFetch });
  sent = [];
  const c = client(link(10));
  const slugs = ["paspoort-aanvragen", "verhuizing-doorgeven", "evenementenvergunning"];
  const results = await Promise.all([
    ...slugs.map((slug) =>
      c.query({ query: PRODUCT, variables: { slug }, fetchPolicy: "no-cache" }),
    ),
    c.query({ query: QUESTION_COUNT, fetchPolicy: "no-cache" }),
  ]);
  assert.equal(sent.length, 1, "one HTTP request for the four operations");
  assert.equal(sent[0].method, "POST");
  assert.ok(Array.isArray(sent[0].body) && sent[0].body.length === 4);
  assert.ok(Array.isArray(sent[0].answer) && sent[0].answer.length === 4);
  results.slice(0, 3).forEach((r, i) => {
    assert.ok(r.data.product, `a product for ${slugs[i]}`);
  });
  assert.equal(results[0].data.product.title, "Paspoort aanvragen");
  assert.ok(results[3].data.questions.totalCount > 0);

  // Eleven in one batch is more than Bron takes: the request is refused.
  sent = [];
  const big = client(link(11));
  // Different variables each, or Apollo would send identical queries once.
  const many = Array.from({ length: 11 }, (_, i) =>
    big
      .query({ query: PRODUCT, variables: { slug: `product-${i}` }, fetchPolicy: "no-cache" })
      .then(
        () => "ok",
        (e) => e,
      ),
  );
  const outcomes = await Promise.all(many);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].status, 400);
  assert.equal(sent[0].answer.errors[0].extensions.code, "BATCH_TOO_LARGE");
  assert.ok(outcomes.every((o) => o !== "ok"), "every operation of the refused batch fails");
  return { batched: 4, refused: 11 };
}

const which = process.argv[2];
const out = which === "apq" ? await apq() : which === "batch" ? await batch() : null;
assert.ok(out, "usage: node apollo.mjs apq|batch");
console.log(JSON.stringify(out));
