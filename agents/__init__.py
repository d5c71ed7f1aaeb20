"""One Mesa agent class per actor: what each may do now and how its moves change the world."""

from agents.asml import ASMLAgent
from agents.base import ActorAgent
from agents.china import ChinaAgent
from agents.huawei import HuaweiAgent
from agents.nvidia import NvidiaAgent
from agents.smic import SMICAgent
from agents.smugglers import SmugglersAgent
from agents.tier2 import Tier2Agent
from agents.us import USAgent

AGENT_CLASSES: dict[str, type[ActorAgent]] = {
    "us": USAgent, "china": ChinaAgent, "asml": ASMLAgent, "smic": SMICAgent,
    "huawei": HuaweiAgent, "nvidia": NvidiaAgent, "smugglers": SmugglersAgent,
}


def agent_class(actor: str) -> type[ActorAgent]:
    """Tier-2 nations share one class; every other actor has its own."""
    return AGENT_CLASSES.get(actor, Tier2Agent)


__all__ = ["AGENT_CLASSES", "ActorAgent", "Tier2Agent", "agent_class"]
