import { Link, type LinkProps } from "@remix-run/react";
import { forwardRef, type AnchorHTMLAttributes } from "react";

type Props = LinkProps | (AnchorHTMLAttributes<HTMLAnchorElement> & { href: string });

/** The link DSFR components render: Remix's Link for `to`, a plain anchor for external `href`s. */
export const DsfrLink = forwardRef<HTMLAnchorElement, Props>(function DsfrLink(props, ref) {
  if ("to" in props) return <Link ref={ref} {...props} />;
  // eslint-disable-next-line jsx-a11y/anchor-has-content
  return <a ref={ref} {...props} />;
});
