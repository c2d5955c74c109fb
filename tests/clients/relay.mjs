// Relay against a running Bron: fetch a product page, then refetch the
// product's fragment by id alone (`node(id:)`, the query relay-compiler
// wrote for @refetchable), after a publisher changed its title, and check
// that Relay's normalised store holds the new title.
//
// BRON_URL: the server's /graphql; BRON_TOKEN: a publisher token.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import {
  Environment,
  Network,
  RecordSource,
  Store,
  fetchQuery,
  getFragment,
  getSelector,
} from "relay-runtime";

const require = createRequire(import.meta.url);
const ProductPageQuery = require("./relay/__generated__/ProductPageQuery.graphql.js");
const RefetchQuery = require("./relay/__generated__/ProductCardRefetchQuery.graphql.js");
const ProductCard = require("./relay/__generated__/ProductCard_product.graphql.js");

const url = process.env.BRON_URL;
const token = process.env.BRON_TOKEN;
const sent = [];

async function post(body, auth) {
  const headers = { "content-type": "application/json" };
  if (auth) headers.authorization = `Bearer ${auth}`;
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  assert.equal(res.status, 200, `HTTP ${res.status}`);
  return res.json();
}

const network = Network.create(async (params, variables) => {
  sent.push({ name: params.name, text: params.text, variables });
  return post({ query: params.text, variables });
});
const environment = new Environment({ network, store: new Store(new RecordSource()) });

function readCard(ref) {
  const selector = getSelector(getFragment(ProductCard), ref);
  return environment.lookup(selector).data;
}

const page = await fetchQuery(environment, ProductPageQuery, { slug: "paspoort-aanvragen" }).toPromise();
const first = readCard(page.product);
assert.equal(first.title, "Paspoort aanvragen");
assert.equal(first.status, "PUBLISHED");
assert.ok(first.steps.length > 0, "the product has steps");

// A publisher changes the title and publishes it.
const id = first.id;
const version = (await post({ query: "query($id: ID!) { product(id: $id) { version } }", variables: { id } }, token)).data.product.version;
const changed = await post(
  {
    query: "mutation($id: ID!, $v: Int!) { updateProduct(id: $id, version: $v, fields: { title: \"Paspoort aanvragen (vernieuwd)\" }) { item { id } } publish(ids: [$id]) { changeSeq } }",
    variables: { id, v: version },
  },
  token,
);
assert.equal(changed.errors, undefined, JSON.stringify(changed.errors));

// Relay refetches the fragment by id alone.
const again = await fetchQuery(environment, RefetchQuery, { id }).toPromise();
const refetch = sent.at(-1);
assert.equal(refetch.name, "ProductCardRefetchQuery");
assert.match(refetch.text, /node\(id: \$id\)/);
const second = readCard(again.node);
assert.equal(second.id, id);
assert.equal(second.title, "Paspoort aanvragen (vernieuwd)");
// The page's own reference reads the same record: one product, one id.
assert.equal(readCard(page.product).title, "Paspoort aanvragen (vernieuwd)");
assert.deepEqual(second.steps, first.steps);

console.log(JSON.stringify({ id, before: first.title, after: second.title, requests: sent.map((s) => s.name) }));
