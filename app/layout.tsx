import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "Andon",
  description: "OEE and predictive maintenance over MQTT",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <span className="brand">Andon</span>
          <nav>
            <a href="/">Live ingest</a>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
