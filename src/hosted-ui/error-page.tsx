import { Document } from '../web/components/document';

/** What a hosted page shows instead of its content: not found, not allowed, busy, failed. */
export function ErrorPage(props: { site: string; title: string; message: string; home?: string }) {
  return (
    <Document title={props.title} site={props.site}>
      <main class="container">
        <article>
          <h1>{props.title}</h1>
          <p>{props.message}</p>
          {props.home && <a href={props.home}>Go to the home page</a>}
        </article>
      </main>
    </Document>
  );
}
