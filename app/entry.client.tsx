import { RemixBrowser } from "@remix-run/react";
import { DsfrLink } from "./ui/DsfrLink";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { startReactDsfr } from "@codegouvfr/react-dsfr/spa";

startReactDsfr({ defaultColorScheme: "light", Link: DsfrLink });

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <RemixBrowser />
    </StrictMode>,
  );
});
