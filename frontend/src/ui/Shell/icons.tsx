import {
  AppWindow, Building, Download, FileText, LifeBuoy, ListChecks, Package, RefreshCw, Settings, Shield, ShoppingCart,
  Trash2, Truck, User, Users, Wallet, type LucideIcon,
} from "lucide-react";
import type { ReactNode } from "react";

// The icons of the shipped data files (Lucide names). Others fall back to a generic icon, so a
// module's icon never pulls the whole icon set into the first screen's bundle.
const ICONS: Record<string, LucideIcon> = {
  Building, Download, FileText, LifeBuoy, ListChecks, Package, RefreshCw, Settings, Shield, ShoppingCart, Trash2,
  Truck, User, Users, Wallet,
};

export function Icon({ name, size = 18 }: { name: string | null | undefined; size?: number }): ReactNode {
  const Found = (name && ICONS[name]) || AppWindow;
  return <Found size={size} aria-hidden="true" />;
}
