// The GraphQL a Relay app would put beside its components. relay-compiler
// reads the graphql`` literals in this file and writes the artifacts that
// relay.mjs loads; nothing here runs (there is no Babel plugin in this
// package to replace the literals at run time).

/* global graphql */

// A fragment Relay can fetch again on its own: @refetchable makes the
// compiler write ProductCardRefetchQuery, which asks `node(id:)` for it.
graphql`
  fragment ProductCard_product on Product
  @refetchable(queryName: "ProductCardRefetchQuery") {
    id
    title
    summary
    status
    steps {
      id
      title
    }
  }
`;

graphql`
  query ProductPageQuery($slug: String!) {
    product(slug: $slug) {
      ...ProductCard_product
    }
  }
`;
