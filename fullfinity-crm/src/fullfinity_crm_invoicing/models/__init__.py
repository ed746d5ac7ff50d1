from fullfinity_crm_invoicing.models import configuration, invoice, lead

__all__ = ["configuration", "invoice", "lead"]
