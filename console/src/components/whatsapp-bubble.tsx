/**
 * A template as WhatsApp shows it: header (text or a media placeholder), body with its
 * placeholders marked, footer, and buttons under the bubble; carousels as a row of cards.
 * `values` fills placeholders when the Send test page has them, keyed by part: `header.1`,
 * `body.1`, `body.first_name`.
 */
import type { ReactNode } from 'react';
import type { TemplateComponent } from '../api/types.ts';

export function WhatsAppBubble({ components, values = {} }: { components: readonly TemplateComponent[]; values?: Record<string, string> }) {
  const carousel = components.find((component) => component.type.toUpperCase() === 'CAROUSEL');
  return (
    <div className="wa-chat" data-testid="whatsapp-preview">
      <Bubble components={components.filter((component) => component !== carousel)} values={values} />
      {carousel?.cards?.length ? (
        <div className="wa-carousel">
          {carousel.cards.map((card, index) => (
            <Bubble key={index} components={card.components} values={values} card />
          ))}
        </div>
      ) : null}
    </div>
  );
}

function Bubble({ components, values, card = false }: { components: readonly TemplateComponent[]; values: Record<string, string>; card?: boolean }) {
  const part = (type: string) => components.find((component) => component.type.toUpperCase() === type);
  const header = part('HEADER');
  const body = part('BODY');
  const footer = part('FOOTER');
  const buttons = part('BUTTONS')?.buttons ?? [];
  if (!header && !body && !footer && buttons.length === 0) return null;
  return (
    <div className={`wa-bubble${card ? ' wa-card' : ''}`}>
      {header ? <Header header={header} values={values} /> : null}
      {body?.text ? <p className="wa-body">{fill(body.text, values, 'body')}</p> : null}
      {footer?.text ? <p className="wa-footer">{footer.text}</p> : null}
      {buttons.length > 0 ? (
        <div className="wa-buttons">
          {buttons.map((button, index) => (
            <span key={index} className="wa-button" title={button.url ?? button.phone_number ?? button.type}>
              {buttonIcon(button.type)} {button.text}
            </span>
          ))}
        </div>
      ) : null}
    </div>
  );
}

function Header({ header, values }: { header: TemplateComponent; values: Record<string, string> }) {
  const format = (header.format ?? 'TEXT').toUpperCase();
  if (format === 'TEXT') return <p className="wa-header">{fill(header.text ?? '', values, 'header')}</p>;
  // Plain words: servers and headless browsers often have no emoji font.
  const labels: Record<string, string> = { IMAGE: 'Image', VIDEO: 'Video', DOCUMENT: 'Document', LOCATION: 'Location' };
  return <div className={`wa-media wa-media-${format.toLowerCase()}`}>{labels[format] ?? format}</div>;
}

function buttonIcon(type: string): string {
  switch (type.toUpperCase()) {
    case 'URL':
      return '↗';
    case 'PHONE_NUMBER':
      return '☎';
    case 'COPY_CODE':
      return '⎘';
    default:
      return '↩';
  }
}

/** The text with each {{placeholder}} replaced by its value, or marked when there is none. */
function fill(text: string, values: Record<string, string>, part: 'header' | 'body'): ReactNode[] {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
    parts.push(text.slice(last, match.index));
    const name = match[1]!;
    const value = values[`${part}.${name}`];
    parts.push(
      value ? (
        <span key={parts.length} className="wa-value">
          {value}
        </span>
      ) : (
        <mark key={parts.length} className="wa-placeholder">{`{{${name}}}`}</mark>
      ),
    );
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}
