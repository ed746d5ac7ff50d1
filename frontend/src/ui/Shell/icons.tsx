import {
  AppWindow, Building, Download, FileText, FolderTree, Handshake, LifeBuoy, ListChecks, Package, Receipt, RefreshCw, Ruler,
  Settings, Shapes, Shield, ShoppingCart, Trash, Trash2, Truck, User, Users, Wallet, type LucideIcon,
} from "lucide-react";
import type { ReactNode } from "react";

// The icons of the shipped data files (Lucide names). Others fall back to a generic icon, so a
// module's icon never pulls the whole icon set into the first screen's bundle.
const ICONS: Record<string, LucideIcon> = {
  Building, Download, FileText, FolderTree, Handshake, LifeBuoy, ListChecks, Package, Receipt, RefreshCw, Ruler, Settings,
  Shapes, Shield, ShoppingCart, Trash, Trash2, Truck, User, Users, Wallet,
};

export function Icon({ name, size = 18 }: { name: string | null | undefined; size?: number }): ReactNode {
  const Found = (name && ICONS[name]) || AppWindow;
  return <Found size={size} aria-hidden="true" />;
}
