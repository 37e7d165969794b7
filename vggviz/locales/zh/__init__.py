"""简体中文: the Chinese catalogue. Each module holds the messages of one area of the app
(``MESSAGES = {english: chinese}``); :func:`vggviz.i18n.catalogue` merges them.

Terms follow the Chinese VGG articles: 卷积层 (conv layer), 池化 (pooling), 全连接层 (FC layer),
特征图 (feature map), 感受野 (receptive field), 参数量 (parameters), 计算量 (compute), 通道
(channel), 卷积核 / 滤波器 (kernel / filter), 权重 (weights), 激活 (activation), 步长 (stride),
填充 (padding), 批归一化 (batch norm), 局部响应归一化 (LRN), 预训练 (pretrained), 微调
(fine-tune), 迁移学习 (transfer learning), 前向传播 (forward pass), 类别 (class).
"""

MESSAGES: dict[str, str] = {}
